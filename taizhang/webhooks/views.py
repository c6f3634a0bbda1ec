"""Webhook pages: the org admin's endpoints, their delivery log, test-send and secrets.

Everything goes through permissions.access_endpoint (404 outside the admin's scope) and
webhooks.services; a refused change comes back as a form error or a message.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import ADMIN_ROLES, org_scope_q

from . import services
from .forms import EndpointEditForm, EndpointForm, VersionForm
from .models import Delivery, DeliveryStatus, Endpoint
from .permissions import access_endpoint, deliveries_visible_to, endpoints_visible_to

DELIVERIES_PER_PAGE = 50


def _admin_orgs(user):
    return Org.objects.filter(org_scope_q(user, field="path", roles=ADMIN_ROLES)).order_by("path")


def _no_store(response: HttpResponse) -> HttpResponse:
    # A page showing a secret must not be kept by any cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    orgs = _admin_orgs(request.user)
    can_create = orgs.exists()
    form = EndpointForm(request.POST or None, orgs=orgs) if can_create else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(
                    actor=request.user,
                    org=form.cleaned_data["org"],
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("外发通知地址已添加。请把签名密钥配置到接收方，它只显示这一次。")
                )
                return _render_detail(request, endpoint, new_secret=endpoint.secret)
    endpoints = endpoints_visible_to(request.user).order_by("org__path", "id")
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"endpoints": endpoints, "form": form, "can_create": can_create},
    )


def _edit_form(endpoint: Endpoint, data: Any = None) -> EndpointEditForm:
    return EndpointEditForm(
        data,
        initial={
            "version": endpoint.lock_version,
            "url": endpoint.url,
            "events": endpoint.events,
            "description": endpoint.description,
            "is_active": endpoint.is_active,
        },
    )


def _render_detail(
    request: HttpRequest,
    endpoint: Endpoint,
    *,
    form: EndpointEditForm | None = None,
    new_secret: str = "",
) -> HttpResponse:
    deliveries = Paginator(
        Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id"),
        DELIVERIES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return _no_store(
        render(
            request,
            "webhooks/endpoint_detail.html",
            {
                "endpoint": endpoint,
                "form": form or _edit_form(endpoint),
                "deliveries": deliveries,
                "new_secret": new_secret,
                "failed": DeliveryStatus.FAILED,
            },
        )
    )


@login_required
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, endpoint_id)
    form = None
    if request.method == "POST":
        form = _edit_form(endpoint, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.endpoint_update(
                    actor=request.user,
                    endpoint=endpoint,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    is_active=data["is_active"],
                    expected_version=data["version"],
                )
            except DomainError as error:
                add_domain_error(form, error)
                endpoint = access_endpoint(request.user, endpoint_id)
            else:
                messages.success(request, _("已保存。"))
                return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)
    return _render_detail(request, endpoint, form=form)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, endpoint_id)
    try:
        delivery = services.endpoint_test(actor=request.user, endpoint=endpoint)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if delivery.status == DeliveryStatus.DELIVERED:
            messages.success(
                request,
                _("测试消息已送达（HTTP %(code)s）。") % {"code": delivery.last_status_code},
            )
        else:
            messages.error(
                request, _("测试消息发送失败：%(error)s") % {"error": delivery.last_error}
            )
    return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, endpoint_id)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请求无效，请重试。"), "invalid")
        endpoint = services.endpoint_rotate_secret(
            actor=request.user, endpoint=endpoint, expected_version=form.cleaned_data["version"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)
    messages.success(request, _("已更换签名密钥，旧密钥立即失效。新密钥只显示这一次。"))
    return _render_detail(request, endpoint, new_secret=endpoint.secret)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, endpoint_id)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请求无效，请重试。"), "invalid")
        services.endpoint_delete(
            actor=request.user, endpoint=endpoint, expected_version=form.cleaned_data["version"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)
    messages.success(request, _("外发通知地址已删除。"))
    return redirect("webhooks:endpoint_list")


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = (
        deliveries_visible_to(request.user)
        .select_related("endpoint", "endpoint__org")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise Http404
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重新排队，将在下一次发送时投递。"))
    return redirect("webhooks:endpoint_detail", endpoint_id=delivery.endpoint_id)
