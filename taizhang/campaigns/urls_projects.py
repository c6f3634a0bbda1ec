from django.urls import path

from .views import projects

project_urlpatterns = [
    path("<int:campaign_id>/projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:project_id>/transition/", projects.project_transition, name="project_transition"),
    path("projects/<int:project_id>/history/", projects.project_history, name="project_history"),
    path("projects/<int:project_id>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:project_id>/restore/", projects.project_restore, name="project_restore"),
]
