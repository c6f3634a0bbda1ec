from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.dashboard, name="dashboard"),
]
