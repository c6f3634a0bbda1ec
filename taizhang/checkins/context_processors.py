from collections.abc import Callable

from django.http import HttpRequest

from .selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The unread count for the top bar's 通知 link. A callable, so the count query runs only
    when a full page renders it, not for every htmx fragment."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"inbox_unread": lambda: unread_count(user)}
