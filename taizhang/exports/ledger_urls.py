from django.urls import path

from . import ledger_views

app_name = "ledger_export"

urlpatterns = [
    path("<int:campaign_id>/", ledger_views.ledger_export, name="xlsx"),
]
