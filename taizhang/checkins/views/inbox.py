"""The in-app inbox and the group robots (WeCom / DingTalk) an org posts reminders to."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.permissions import access_org, can_manage_org

from .. import permissions as perms
from .. import selectors, services
from ..forms import WebhookForm
from ..models import Notification
from .common import page_of

INBOX_PER_PAGE = 50


def _safe_url(request: HttpRequest, notification: Notification) -> str:
    """Notification links are written by the services as paths on this site; anything else
    is not followed."""
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.inbox(request.user), INBOX_PER_PAGE)
    for notification in page:
        notification.safe_url = _safe_url(request, notification)
    return render(
        request,
        "checkins/inbox.html",
        {"page": page, "robot_orgs": selectors.admin_grant_orgs(request.user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the user's own notifications read (another user's is a 404); with
    `open=1`, go on to the page it links to."""
    notification = perms.access_notification(request.user, notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.POST.get("open") == "1":
        target = _safe_url(request, notification)
        if target:
            return redirect(target)
    if request.htmx:
        notification.safe_url = _safe_url(request, notification)
        return render(request, "checkins/inbox.html#item", {"notification": notification})
    return redirect("checkins:inbox")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("checkins:inbox")


def _masked(url: str) -> str:
    """A robot URL carries its access key in the query; show where it goes, not the key."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{shown}?…" if parts.query else shown


@login_required
@require_http_methods(["GET", "POST"])
def robots(request: HttpRequest, org_id: int) -> HttpResponse:
    """The org's group robots; org admins list and add them (http or https URLs only)."""
    org = access_org(request.user, org_id)
    if not can_manage_org(request.user, org):
        raise PermissionDenied
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_webhook_create(
                actor=request.user,
                org=org,
                kind=form.cleaned_data["kind"],
                url=form.cleaned_data["url"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("群机器人已添加。"))
            return redirect("checkins:robots", org_id=org.pk)
    webhooks = list(org.robot_webhooks.order_by("created_at", "id"))
    for webhook in webhooks:
        webhook.masked_url = _masked(webhook.url)
    return render(
        request,
        "checkins/robots.html",
        {"org": org, "selected_org": org, "webhooks": webhooks, "form": form},
    )
