"""Periods of a campaign: the list, generation from the cadence, add, edit, close/reopen."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.campaigns.models import Cadence, Campaign
from taizhang.campaigns.permissions import access_campaign
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from .. import permissions as perms
from .. import services
from ..forms import PeriodClosedForm, PeriodForm
from ..models import ReportStatus


def _managed_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = access_campaign(request.user, campaign_id)
    if not perms.can_manage_periods(request.user, campaign):
        raise PermissionDenied
    return campaign


def _render_list(
    request: HttpRequest, campaign: Campaign, *, add_form: PeriodForm | None = None
) -> HttpResponse:
    can_manage = perms.can_manage_periods(request.user, campaign)
    periods = campaign.periods.order_by("start_date").annotate(
        submitted=Count(
            "reports",
            filter=Q(
                reports__deleted_at__isnull=True,
                reports__status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
            ),
        )
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "periods": periods,
        "can_manage": can_manage,
        "can_generate": can_manage and campaign.cadence != Cadence.CUSTOM,
        "add_form": add_form or (PeriodForm() if can_manage else None),
    }
    return render(request, "checkins/period_list.html", context)


@login_required
@require_GET
def period_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _render_list(request, access_campaign(request.user, campaign_id))


@login_required
@require_POST
def period_generate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _managed_campaign(request, campaign_id)
    try:
        created = services.periods_generate(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(
                request,
                ngettext("已生成 %(n)s 个检查周期。", "已生成 %(n)s 个检查周期。", len(created))
                % {"n": len(created)},
            )
        else:
            messages.info(request, _("检查周期均已存在，没有新增。"))
    return redirect("checkins:period_list", campaign_id=campaign.pk)


@login_required
@require_POST
def period_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _managed_campaign(request, campaign_id)
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.period_create(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已新增检查周期“%(name)s”。") % {"name": period.name})
            return redirect("checkins:period_list", campaign_id=campaign.pk)
    return _render_list(request, campaign, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, period_id: int) -> HttpResponse:
    period = perms.access_period(request.user, period_id)
    if not perms.can_manage_periods(request.user, period.campaign):
        raise PermissionDenied
    form = PeriodForm.for_period(period, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_update(actor=request.user, period=period, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("检查周期已保存。"))
            return redirect("checkins:period_list", campaign_id=period.campaign_id)
    return render(
        request,
        "checkins/period_form.html",
        {"period": period, "campaign": period.campaign, "form": form},
    )


@login_required
@require_POST
def period_close(request: HttpRequest, period_id: int) -> HttpResponse:
    """Close a period (no more reports or claims for it) or reopen it."""
    period = perms.access_period(request.user, period_id)
    if not perms.can_manage_periods(request.user, period.campaign):
        raise PermissionDenied
    form = PeriodClosedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请重试。"))
    else:
        closed = form.cleaned_data["closed"]
        try:
            services.period_update(actor=request.user, period=period, is_closed=closed)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            message = _("已关闭“%(name)s”。") if closed else _("已重新开放“%(name)s”。")
            messages.success(request, message % {"name": period.name})
    return redirect("checkins:period_list", campaign_id=period.campaign_id)
