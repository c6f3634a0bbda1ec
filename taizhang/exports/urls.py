from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path(
        "campaigns/<int:campaign_id>/assessment-sheet.xlsx",
        views.assessment_sheet,
        name="assessment_sheet",
    ),
]
