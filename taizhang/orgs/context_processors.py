from django.http import HttpRequest

from .permissions import root_orgs_for


def org_navigation(request: HttpRequest) -> dict:
    """The roots of the user's org tree for the navigator; children load on demand (htmx)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"nav_root_orgs": lambda: list(root_orgs_for(user))}
