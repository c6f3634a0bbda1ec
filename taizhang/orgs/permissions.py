"""Who may see and do what in the org tree: the one place role grants are interpreted.

A membership grants its role in its org *and every org below it*. A user's memberships are
read once per user object and cached on it, so checks inside a request cost no queries.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Org, Person, Role

# Roles that may change ledger data (as opposed to the read-only viewer).
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})
LEAD_ROLES = frozenset({Role.ORG_ADMIN, Role.PROJECT_LEAD})
ANY_ROLE = frozenset(Role.values)


def is_system_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def _grants(user) -> list[tuple[str, str]]:
    """(org path, role) pairs for the user; cached on the user object for the request."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_taizhang_grants", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .values_list("org__path", "role")
            .order_by("org__path")
        )
        user._taizhang_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants after memberships change within one request or test."""
    if hasattr(user, "_taizhang_grants"):
        del user._taizhang_grants


def roles_in(user, org: Org) -> set[str]:
    """Roles the user holds in `org`, inherited from grants on it or any ancestor."""
    if is_system_admin(user):
        return set(ANY_ROLE)
    return {role for path, role in _grants(user) if org.path.startswith(path)}


def has_role(user, org: Org, roles: Iterable[str]) -> bool:
    return bool(roles_in(user, org) & set(roles))


def _subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    query = Q(pk__in=[])
    for path in _minimal_prefixes(paths):
        query |= Q(**{f"{field}__startswith": path})
    return query


def _minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter prefix, keeping the SQL small."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in result):
            result.append(path)
    return result


def visible_org_paths(user, roles: Iterable[str] = ANY_ROLE) -> list[str] | None:
    """Path prefixes the user can see (None means everything: the system admin)."""
    if is_system_admin(user):
        return None
    wanted = set(roles)
    return _minimal_prefixes(path for path, role in _grants(user) if role in wanted)


def org_scope_q(user, field: str = "org__path", roles: Iterable[str] = ANY_ROLE) -> Q:
    """A filter on `field` (an org path) that keeps rows inside the user's visible subtrees."""
    paths = visible_org_paths(user, roles)
    if paths is None:
        return Q()
    return _subtree_q(paths, field)


def orgs_visible_to(user) -> QuerySet[Org]:
    return Org.objects.filter(org_scope_q(user, field="path"))


def access_org(user, org_id, *, roles: Iterable[str] = ANY_ROLE) -> Org:
    """Fetch an org through the user's scope: 404 when absent or out of scope alike."""
    try:
        return Org.objects.filter(org_scope_q(user, field="path", roles=roles)).get(pk=org_id)
    except (Org.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def people_visible_to(user) -> QuerySet[Person]:
    return Person.objects.filter(org_scope_q(user)).select_related("org")


def access_person(user, person_id) -> Person:
    try:
        return people_visible_to(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_manage_org(user, org: Org) -> bool:
    """Org admins manage people and grants in their subtree; the system admin everywhere."""
    return has_role(user, org, ADMIN_ROLES)


def root_orgs_for(user) -> QuerySet[Org]:
    """The top of each subtree the user was granted: where the org navigator starts."""
    paths = visible_org_paths(user)
    if paths is None:
        return Org.objects.get_root_nodes()
    return Org.objects.filter(path__in=paths).order_by("path")
