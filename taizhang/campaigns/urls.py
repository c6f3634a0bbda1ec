from django.urls import path

from .urls_projects import project_urlpatterns
from .views import campaigns, ledger

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/ledger/", ledger.ledger, name="ledger"),
    path("<int:campaign_id>/pairings/add/", campaigns.pairing_add, name="pairing_add"),
    path("pairings/<int:pairing_id>/delete/", campaigns.pairing_delete, name="pairing_delete"),
    path("<int:campaign_id>/trash/", campaigns.trash, name="trash"),
    *project_urlpatterns,
]
