"""Word paperwork downloads (mounted under /documents/, namespace "documents")."""

from django.urls import path

from . import views_docx

app_name = "documents"

urlpatterns = [
    path("campaigns/<int:campaign_id>/summary.docx", views_docx.summary, name="summary"),
    path("projects/<int:project_id>/application.docx", views_docx.application, name="application"),
    path(
        "inspections/<int:inspection_id>/record.docx",
        views_docx.inspection_record,
        name="inspection_record",
    ),
]
