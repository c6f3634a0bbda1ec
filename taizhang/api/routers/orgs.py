"""The caller, the org tree, people and role grants."""

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Left, Length, Replace
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from taizhang.orgs import services
from taizhang.orgs.models import Membership, Org, Person
from taizhang.orgs.permissions import (
    access_org,
    access_person,
    is_system_admin,
    org_scope_q,
    orgs_visible_to,
    people_visible_to,
)
from taizhang.users.models import User

from ..errors import ApiError
from ..lookups import actor, pick
from ..schemas.common import Id, Page, paginate
from ..schemas.orgs import (
    MembershipFilters,
    MembershipIn,
    MembershipOut,
    MembershipPage,
    MeOut,
    OrgFilters,
    OrgOut,
    OrgPage,
    PersonCreateIn,
    PersonFilters,
    PersonOut,
    PersonPage,
    PersonUpdateIn,
)

router = Router()


@router.get("/me", response=MeOut, tags=["me"], summary="Who am I (user, person, grants)")
def me(request: HttpRequest):
    user = actor(request)
    person = Person.objects.filter(user=user).select_related("org").first()
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": str(user),
        "is_system_admin": is_system_admin(user),
        "person": person,
        "memberships": list(
            Membership.objects.filter(user=user).select_related("user", "org").order_by("org__path")
        ),
        "token": {"name": token.name, "scope": token.scope} if token is not None else None,
    }


def _with_parent(queryset):
    """Annotate each org's parent id from its materialised path (one subquery, no per-row
    lookups)."""
    parent = Org.objects.filter(
        path=Left(OuterRef("path"), Length(OuterRef("path")) - Org.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))


@router.get("/orgs", response=OrgPage, tags=["orgs"], summary="Orgs you can see (tree order)")
def list_orgs(request: HttpRequest, filters: Query[OrgFilters], page: Query[Page]):
    user = actor(request)
    queryset = orgs_visible_to(user)
    if filters.under is not None:
        queryset = queryset.filter(path__startswith=access_org(user, filters.under).path)
    if filters.parent is not None:
        parent = access_org(user, filters.parent)
        queryset = queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(short_name__icontains=term) | Q(code__icontains=term)
        )
    return paginate(_with_parent(queryset).order_by("path"), page)


@router.get("/orgs/{org_id}", response=OrgOut, tags=["orgs"], summary="One org")
def get_org(request: HttpRequest, org_id: Id):
    org = access_org(actor(request), org_id)
    return _with_parent(Org.objects.filter(pk=org.pk)).get()


# --------------------------------------------------------------------------- people


@router.get("/people", response=PersonPage, tags=["people"], summary="People you can see")
def list_people(request: HttpRequest, filters: Query[PersonFilters], page: Query[Page]):
    user = actor(request)
    queryset = people_visible_to(user)
    if filters.org is not None:
        queryset = queryset.filter(org__path__startswith=access_org(user, filters.org).path)
    if filters.political_status:
        queryset = queryset.filter(political_status=filters.political_status)
    if filters.q:
        # As the person picker searches (orgs.views.person_search): pinyin is stored
        # space-separated ("zhang san") and typed run together.
        term = filters.q.strip()
        queryset = queryset.annotate(
            pinyin_compact=Replace("name_pinyin", Value(" "), Value(""))
        ).filter(
            Q(name__icontains=term)
            | Q(pinyin_compact__icontains=term.replace(" ", "").lower())
            | Q(staff_no__icontains=term)
        )
    return paginate(queryset.order_by("name_pinyin", "id"), page)


@router.get("/people/{person_id}", response=PersonOut, tags=["people"], summary="One person")
def get_person(request: HttpRequest, person_id: Id):
    return access_person(actor(request), person_id)


@router.post(
    "/people", response={201: PersonOut}, tags=["people"], summary="Register a person (org admin)"
)
def create_person(request: HttpRequest, payload: PersonCreateIn):
    user = actor(request)
    person = services.person_create(
        actor=user,
        org=pick(orgs_visible_to(user), payload.org_id, field="org_id"),
        name=payload.name,
        staff_no=payload.staff_no,
        political_status=payload.political_status,
        position=payload.position,
    )
    return Status(201, person)


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"], summary="Change a person")
def update_person(request: HttpRequest, person_id: Id, payload: PersonUpdateIn):
    user = actor(request)
    person = access_person(user, person_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "reason"})
    if "org_id" in changes:
        changes["org"] = pick(orgs_visible_to(user), changes.pop("org_id"), field="org_id")
    changes = {k: v for k, v in changes.items() if v is not None}
    return services.person_update(
        actor=user,
        person=person,
        reason=payload.reason,
        expected_version=payload.version,
        **changes,
    )


# --------------------------------------------------------------------------- memberships


def _memberships(user):
    return Membership.objects.filter(org_scope_q(user, field="org__path")).select_related(
        "user", "org"
    )


@router.get(
    "/memberships", response=MembershipPage, tags=["memberships"], summary="Role grants you can see"
)
def list_memberships(request: HttpRequest, filters: Query[MembershipFilters], page: Query[Page]):
    user = actor(request)
    queryset = _memberships(user)
    if filters.org is not None:
        queryset = queryset.filter(org__path__startswith=access_org(user, filters.org).path)
    if filters.username:
        queryset = queryset.filter(user__username=filters.username)
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    return paginate(queryset.order_by("org__path", "user__username", "role", "id"), page)


@router.post(
    "/memberships",
    response={201: MembershipOut},
    tags=["memberships"],
    summary="Grant a role in an org and its subtree (org admin)",
)
def create_membership(request: HttpRequest, payload: MembershipIn):
    user = actor(request)
    org = pick(orgs_visible_to(user), payload.org_id, field="org_id")
    grantee = User.objects.filter(username=payload.username, is_active=True).first()
    if grantee is None:
        raise ApiError(
            422,
            "invalid_reference",
            _("没有这个账号。"),
            fields={
                "username": [_("没有用户名为“%(name)s”的有效账号。") % {"name": payload.username}]
            },
        )
    membership = services.membership_grant(actor=user, user=grantee, org=org, role=payload.role)
    return Status(201, membership)


@router.delete(
    "/memberships/{membership_id}",
    response={204: None},
    tags=["memberships"],
    summary="Revoke a grant (org admin)",
)
def delete_membership(request: HttpRequest, membership_id: Id):
    user = actor(request)
    membership = _memberships(user).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    services.membership_revoke(actor=user, membership=membership)
    return Status(204, None)
