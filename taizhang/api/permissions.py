"""A token belongs to the user who created it; nobody else sees it, not even an admin."""

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken


def tokens_visible_to(user) -> QuerySet[ApiToken]:
    if not user or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def access_token(user, token_id) -> ApiToken:
    try:
        return tokens_visible_to(user).get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
