"""The dashboard (分析): charts and tables of one campaign for an org subtree and a period."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import access_campaign
from taizhang.checkins.models import Period
from taizhang.checkins.selectors import default_board_period
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import access_org
from taizhang.orgs.selectors import org_options

from . import selectors


def scope_from_query(request: HttpRequest, campaign: Campaign) -> tuple[Org, Period | None]:
    """`?org=&period=` of a dashboard or a summary download. An org the user may not see,
    or one outside the campaign, and a period of another campaign answer 404."""
    user = request.user
    org_param = request.GET.get("org", "").strip()
    if org_param:
        org = access_org(user, org_param)
        if not org.path.startswith(campaign.org.path):
            raise Http404
    else:
        org = selectors.default_org(user, campaign)
        if org is None:
            raise Http404
    period_param = request.GET.get("period", "").strip()
    if period_param:
        try:
            period = Period.objects.get(pk=int(period_param), campaign=campaign)
        except (Period.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
    else:
        period = default_board_period(campaign)
    return org, period


def drill_urls(campaign: Campaign) -> dict[str, str]:
    """The pages a chart point drills down to, by `Figure.target`."""
    return {
        "ledger": reverse("campaigns:ledger", args=[campaign.pk]),
        "board": reverse("checkins:board", args=[campaign.pk]),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Every figure comes from analysis.selectors and is shown as it comes: drawn by the page
    script from the JSON below the page, and as a table under each chart. The query count
    does not depend on the number of projects."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    org, period = scope_from_query(request, campaign)
    figures = selectors.dashboard_figures(user, campaign, org, period)
    urls = drill_urls(campaign)
    return render(
        request,
        "analysis/dashboard.html",
        {
            "campaign": campaign,
            "selected_org": org,
            "period": period,
            "periods": campaign.periods.order_by("start_date"),
            "org_options": org_options(user, campaign.org, org),
            "overview": selectors.overview(user, campaign, org, period) if period else None,
            "figures": {figure.key: figure for figure in figures},
            "drill_urls": urls,
            "chart_data": {"urls": urls, "figures": [figure.as_json() for figure in figures]},
        },
    )
