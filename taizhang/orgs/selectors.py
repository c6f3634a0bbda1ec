"""Reads of the org tree that several apps' pages share."""

from collections.abc import Iterable

from .models import Org
from .permissions import ANY_ROLE, org_scope_q

# An org drop-down lists its root and two levels below it; deeper orgs are reached through
# the sidebar navigator or by following a ranking down, so a group-wide campaign does not put
# thousands of branches into one <select>.
ORG_OPTION_LEVELS = 2


def org_options(
    user, root: Org, selected: Org | None = None, *, roles: Iterable[str] = ANY_ROLE
) -> list[Org]:
    """The orgs of `root`'s subtree that `user` sees (with one of `roles`), ORG_OPTION_LEVELS
    deep, in tree order, each with an `indent` for its depth; `selected` is kept when it is
    deeper (it came from the navigator)."""
    options = list(
        Org.objects.filter(
            org_scope_q(user, field="path", roles=roles),
            path__startswith=root.path,
            depth__lte=root.depth + ORG_OPTION_LEVELS,
        ).order_by("path")
    )
    if selected is not None and all(org.pk != selected.pk for org in options):
        options.append(selected)
    top = min((org.depth for org in options), default=0)
    for org in options:
        org.indent = "\u3000" * (org.depth - top)
    return options
