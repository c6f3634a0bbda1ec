from django.urls import URLPattern, path

from .views import projects


def _child_routes(singular: str, section: str, *, editable: bool = True) -> list[URLPattern]:
    """Inline routes of one detail-page section (`goal_add`, `goal_edit`, …); `section` is
    passed to the shared child views so goals, measures and participants use one code path."""
    base = f"projects/<int:project_id>/{section}/"
    kwargs = {"section": section}
    routes = [
        path(base, projects.child_section, kwargs, name=f"{singular}_section"),
        path(f"{base}add/", projects.child_add, kwargs, name=f"{singular}_add"),
        path(
            f"{base}<int:item_id>/delete/", projects.child_delete, kwargs, name=f"{singular}_delete"
        ),
    ]
    if editable:
        routes += [
            path(
                f"{base}<int:item_id>/edit/", projects.child_edit, kwargs, name=f"{singular}_edit"
            ),
            path(
                f"{base}<int:item_id>/update/",
                projects.child_update,
                kwargs,
                name=f"{singular}_update",
            ),
        ]
    return routes


project_urlpatterns = [
    path("<int:campaign_id>/projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    path(
        "projects/<int:project_id>/transition/",
        projects.project_transition,
        name="project_transition",
    ),
    path("projects/<int:project_id>/history/", projects.project_history, name="project_history"),
    path("projects/<int:project_id>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:project_id>/restore/", projects.project_restore, name="project_restore"),
    path(
        "projects/<int:project_id>/attachments/<int:attachment_id>/download/",
        projects.attachment_download,
        name="attachment_download",
    ),
    *_child_routes("goal", "goals"),
    *_child_routes("measure", "measures"),
    *_child_routes("participant", "participants"),
    # Attachments are replaced, not edited: upload the new file, delete the old one.
    *_child_routes("attachment", "attachments", editable=False),
]
