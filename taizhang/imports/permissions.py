"""Who may import into a campaign, and whose uploads are whose."""

from django.db.models import QuerySet
from django.http import Http404

from taizhang.campaigns import permissions as campaign_perms
from taizhang.campaigns.models import Campaign

from .models import LedgerImport


def can_import(user, campaign: Campaign) -> bool:
    """Importing files projects: whoever may file a project for some org of the campaign
    (each row is checked again for its own org)."""
    return campaign_perms.can_create_any_project(user, campaign)


def access_import_campaign(user, campaign_id) -> Campaign:
    campaign = campaign_perms.access_campaign(user, campaign_id)
    if not can_import(user, campaign):
        raise Http404
    return campaign


def imports_visible_to(user) -> QuerySet[LedgerImport]:
    """An upload is its uploader's alone, and only while the campaign stays visible."""
    if not user or not user.is_authenticated:
        return LedgerImport.objects.none()
    return LedgerImport.objects.filter(
        owner=user, campaign__in=campaign_perms.campaigns_visible_to(user)
    ).select_related("campaign", "campaign__org")


def access_import(user, import_id) -> LedgerImport:
    try:
        return imports_visible_to(user).get(pk=import_id)
    except (LedgerImport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
