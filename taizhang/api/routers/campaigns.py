"""Campaigns (with their project types, focus areas and periods) and 1+N pairings."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from taizhang.campaigns import services
from taizhang.campaigns.models import Pairing
from taizhang.campaigns.permissions import access_campaign, access_pairing, campaigns_visible_to
from taizhang.orgs.permissions import access_org, org_scope_q, orgs_visible_to, people_visible_to

from ..lookups import actor, pick
from ..schemas.campaigns import (
    CampaignCreateIn,
    CampaignDetailOut,
    CampaignFilters,
    CampaignPage,
    CampaignUpdateIn,
    PairingFilters,
    PairingIn,
    PairingOut,
    PairingPage,
)
from ..schemas.common import Id, Page, Version, paginate

router = Router()


@router.get(
    "/campaigns", response=CampaignPage, tags=["campaigns"], summary="Campaigns you take part in"
)
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilters], page: Query[Page]):
    user = actor(request)
    queryset = campaigns_visible_to(user)
    if filters.org is not None:
        queryset = queryset.filter(org__path__startswith=access_org(user, filters.org).path)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q.strip())
    return paginate(queryset.order_by("-year", "name", "id"), page)


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignDetailOut,
    tags=["campaigns"],
    summary="One campaign with its project types, focus areas and periods",
)
def get_campaign(request: HttpRequest, campaign_id: Id):
    return access_campaign(actor(request), campaign_id)


@router.post(
    "/campaigns",
    response={201: CampaignDetailOut},
    tags=["campaigns"],
    summary="Launch a campaign (org admin)",
)
def create_campaign(request: HttpRequest, payload: CampaignCreateIn):
    user = actor(request)
    campaign = services.campaign_create(
        actor=user,
        org=pick(orgs_visible_to(user), payload.org_id, field="org_id"),
        name=payload.name,
        year=payload.year,
        start_date=payload.start_date,
        end_date=payload.end_date,
        cadence=payload.cadence,
        description=payload.description,
        project_types=(
            [(t.name.strip(), t.short_name.strip()) for t in payload.project_types]
            if payload.project_types is not None
            else None
        ),
        focus_areas=(
            [a.strip() for a in payload.focus_areas] if payload.focus_areas is not None else None
        ),
    )
    return Status(201, campaign)


@router.patch(
    "/campaigns/{campaign_id}",
    response=CampaignDetailOut,
    tags=["campaigns"],
    summary="Change a campaign (org admin of its org)",
)
def update_campaign(request: HttpRequest, campaign_id: Id, payload: CampaignUpdateIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    changes = payload.model_dump(
        exclude_unset=True, exclude={"version", "project_types", "focus_areas"}
    )
    changes = {k: v for k, v in changes.items() if v is not None}
    return services.campaign_update(
        actor=user,
        campaign=campaign,
        project_types=(
            [(t.name.strip(), t.short_name.strip()) for t in payload.project_types]
            if payload.project_types is not None
            else None
        ),
        focus_areas=(
            [a.strip() for a in payload.focus_areas] if payload.focus_areas is not None else None
        ),
        expected_version=payload.version,
        **changes,
    )


# --------------------------------------------------------------------------- pairings


def _pairings(user):
    return (
        Pairing.objects.filter(campaign__in=campaigns_visible_to(user))
        .filter(org_scope_q(user, field="member__org__path"))
        .select_related("member", "colleague")
    )


@router.get(
    "/pairings", response=PairingPage, tags=["pairings"], summary="1+N pairings you can see"
)
def list_pairings(request: HttpRequest, filters: Query[PairingFilters], page: Query[Page]):
    user = actor(request)
    queryset = _pairings(user)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign=access_campaign(user, filters.campaign))
    if filters.member is not None:
        queryset = queryset.filter(member_id=filters.member)
    if filters.org is not None:
        queryset = queryset.filter(member__org__path__startswith=access_org(user, filters.org).path)
    return paginate(queryset.order_by("member__name_pinyin", "colleague__name_pinyin", "id"), page)


@router.post(
    "/pairings",
    response={201: PairingOut},
    tags=["pairings"],
    summary="Pair a Party member with a non-member colleague (the member's org admin)",
)
def create_pairing(request: HttpRequest, payload: PairingIn):
    user = actor(request)
    people = people_visible_to(user)
    pairing = services.pairing_create(
        actor=user,
        campaign=pick(campaigns_visible_to(user), payload.campaign_id, field="campaign_id"),
        member=pick(people, payload.member_id, field="member_id"),
        colleague=pick(people, payload.colleague_id, field="colleague_id"),
    )
    return Status(201, pairing)


@router.delete(
    "/pairings/{pairing_id}", response={204: None}, tags=["pairings"], summary="Dissolve a pairing"
)
def delete_pairing(request: HttpRequest, pairing_id: Id, version: Version | None = None):
    user = actor(request)
    services.pairing_delete(
        actor=user, pairing=access_pairing(user, pairing_id), expected_version=version
    )
    return Status(204, None)
