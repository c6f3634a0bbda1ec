from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.upload, name="upload"),
    path("campaigns/<int:campaign_id>/template.xlsx", views.template, name="template"),
    path("<int:import_id>/", views.report, name="report"),
    path("<int:import_id>/columns/", views.mapping, name="mapping"),
    path("<int:import_id>/apply/", views.apply, name="apply"),
]
