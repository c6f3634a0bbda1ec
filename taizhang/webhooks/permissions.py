"""Who sees and manages webhook endpoints: the org admins of the endpoint's org (or above).

Endpoints carry URLs and secrets of other systems, so readers and project leads do not see
them at all; an endpoint outside the admin's scope answers 404 like a missing one.
"""

from django.db.models import QuerySet
from django.http import Http404

from taizhang.orgs.models import Org
from taizhang.orgs.permissions import ADMIN_ROLES, can_manage_org, org_scope_q

from .models import Delivery, Endpoint


def endpoints_visible_to(user) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(org_scope_q(user, roles=ADMIN_ROLES)).select_related("org")


def access_endpoint(user, endpoint_id) -> Endpoint:
    try:
        return endpoints_visible_to(user).get(pk=endpoint_id)
    except (Endpoint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_manage_endpoints(user, org: Org) -> bool:
    return can_manage_org(user, org)


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint__in=endpoints_visible_to(user))
