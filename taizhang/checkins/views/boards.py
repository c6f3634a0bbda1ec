"""The period board (which reports are in, late, missing or returned) and the 督办 board."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from taizhang.campaigns.models import Project
from taizhang.campaigns.permissions import access_campaign
from taizhang.orgs.permissions import access_org
from taizhang.orgs.selectors import org_options

from .. import selectors
from ..models import LightChoices
from ..selectors import BoardState, ReportFilter
from ..services import local_today
from .common import page_of

BOARD_STATES = [
    (BoardState.ON_TIME, _("按时报送")),
    (BoardState.LATE, _("逾期报送")),
    (BoardState.MISSING, _("逾期未报")),
    (BoardState.RETURNED, _("已退回")),
    (BoardState.NOT_DUE, _("未到截止日")),
]
BOARD_PER_PAGE = 100


def _percent(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value / 100 if value.is_finite() else None


def report_filter_from_query(request: HttpRequest) -> tuple[ReportFilter, str]:
    """`?light=red` and `?attainment=30-40` (percent, from inclusive to exclusive; "90-" has
    no upper end) or `?attainment=none`: the dashboard's drill-downs. Returns the filter
    and a label for it; anything unreadable is ignored, like an unknown `state`."""
    light = request.GET.get("light", "").strip()
    light_labels = dict(LightChoices.choices)
    if light not in light_labels:
        light = ""
    labels = [str(light_labels[light])] if light else []
    text = request.GET.get("attainment", "").strip()
    low = high = None
    none = False
    if text == "none":
        none = True
        labels.append(str(_("无指标")))
    elif "-" in text:
        low_text, high_text = text.split("-", 1)
        low = _percent(low_text) if low_text else None
        high = _percent(high_text) if high_text else None
        if (low_text and low is None) or (high_text and high is None) or low is high is None:
            low = high = None
        else:
            labels.append(
                str(_("目标达成度 %(range)s")) % {"range": f"{low_text}–{high_text or ''}%"}
            )
    report_filter = ReportFilter(
        light=light, attainment_min=low, attainment_max=high, no_attainment=none
    )
    return report_filter, " · ".join(labels)


@login_required
@require_GET
def period_board(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """For an org subtree and a period: every project that owes a report, with its state.

    The query count does not depend on the number of projects: the board is one annotated
    query (selectors.period_board), the counts one grouped query, the page one more.
    """
    user = request.user
    campaign = access_campaign(user, campaign_id)
    periods = list(campaign.periods.order_by("start_date"))
    period_param = request.GET.get("period", "").strip()
    if period_param:
        period = next((p for p in periods if str(p.pk) == period_param), None)
        if period is None:
            raise Http404
    else:
        period = selectors.default_board_period(campaign)
    org = None
    org_param = request.GET.get("org", "").strip()
    if org_param:
        # An org outside the user's scope answers 404, like one that does not exist.
        org = access_org(user, org_param)
    state = request.GET.get("state", "").strip()
    labels = dict(BOARD_STATES)
    if state not in labels:
        state = ""
    report_filter, report_filter_label = report_filter_from_query(request)

    counts: dict[str, int] = {}
    page = None
    if period is not None:
        board = selectors.period_board(user, period, org, report_filter)
        counts = selectors.board_counts(board)
        page = page_of(request, board.filter(board_state=state) if state else board, BOARD_PER_PAGE)
        light_labels = dict(LightChoices.choices)
        row: Project
        for row in page:
            row.light = row.report_override or row.report_light or ""
            row.light_label = light_labels.get(row.light, "")
            row.state_label = labels.get(row.board_state, "")
    return render(
        request,
        "checkins/board.html",
        {
            "campaign": campaign,
            "periods": periods,
            "period": period,
            "selected_org": org,
            "org_options": org_options(user, campaign.org, org),
            "state": state,
            "light": report_filter.light,
            "attainment": request.GET.get("attainment", "").strip()
            if report_filter.by_attainment
            else "",
            "report_filter_label": report_filter_label,
            "states": [
                {"key": key, "label": label, "count": counts.get(key, 0)}
                for key, label in BOARD_STATES
            ],
            "total": sum(counts.values()),
            "page": page,
        },
    )


@login_required
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """督办: red projects with owner and deadline, until they turn green or close."""
    user = request.user
    campaign = None
    campaign_param = request.GET.get("campaign", "").strip()
    if campaign_param:
        campaign = access_campaign(user, campaign_param)
    page = page_of(request, selectors.supervision_board(user, campaign))
    return render(
        request,
        "checkins/supervision.html",
        {"campaign": campaign, "page": page, "today": local_today()},
    )
