"""`taizhang remind`: find what needs a nudge, put it in inboxes, email it, post it to robots.

Idempotent by construction: every reminder has a key (e.g. "overdue:<period>:<project>");
the inbox keeps one Notification per (user, key) and each robot one WebhookDelivery per
(webhook, key), so a second run the same day finds everything already sent.
"""

import datetime as dt
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Project
from taizhang.orgs.models import Membership, Org, Role
from taizhang.users.models import User

from .models import (
    BenefitClaim,
    ClaimStatus,
    Notification,
    OrgWebhook,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
    WebhookDelivery,
    WebhookKind,
)
from .permissions import REPORTABLE_STATUSES
from .services import local_today, notify, supervision_open

logger = logging.getLogger(__name__)
RECTIFICATION_WARNING_DAYS = 3


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    title: str
    body: str
    url: str
    org: Org
    users: tuple[User, ...] = field(default_factory=tuple)


@dataclass
class RunResult:
    notifications: int = 0
    emails: int = 0
    webhooks: int = 0
    webhook_failures: int = 0
    supervisions: int = 0


def _org_admins(orgs: list[Org]) -> dict[int, list[User]]:
    """Org admins of each org, counting grants on ancestors (one query for all orgs)."""
    prefixes = {p for org in orgs for p in org.ancestor_paths}
    grants = list(
        Membership.objects.filter(role=Role.ORG_ADMIN, org__path__in=prefixes).select_related(
            "user", "org"
        )
    )
    return {
        org.pk: [g.user for g in grants if org.path.startswith(g.org.path) and g.user.is_active]
        for org in orgs
    }


def _missing_reports(today: dt.date) -> Iterator[tuple[Period, Project, bool]]:
    """(period, project, overdue) for every open period due soon or past its deadline whose
    project has no submitted report yet."""
    periods = Period.objects.filter(
        is_closed=False, deadline__lte=today + dt.timedelta(days=30)
    ).select_related("campaign")
    for period in periods:
        overdue = period.deadline < today
        due_soon = (
            today
            <= period.deadline
            <= today + dt.timedelta(days=period.campaign.reminder_days_before)
        )
        if not (overdue or due_soon):
            continue
        # Only projects that were running when the period ended owe a report for it.
        done = ProgressReport.objects.filter(
            period=period, status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).values("project_id")
        projects = (
            Project.objects.filter(campaign=period.campaign, status__in=REPORTABLE_STATUSES)
            .filter(start_date__lte=period.end_date)
            .exclude(pk__in=done)
            .select_related("lead__user", "org", "campaign")
        )
        for project in projects:
            yield period, project, overdue


def collect(today: dt.date) -> Iterator[Reminder]:
    for period, project, overdue in _missing_reports(today):
        lead_user = project.lead.user
        users = (lead_user,) if lead_user else ()
        if overdue:
            yield Reminder(
                key=f"overdue:{period.pk}:{project.pk}",
                kind="report_overdue",
                title=_("进展报告已逾期：%(project)s（%(period)s，截止 %(deadline)s）")
                % {"project": project.title, "period": period.name, "deadline": period.deadline},
                body=_("请尽快提交，逾期未报的项目亮红灯。"),
                url=f"/campaigns/projects/{project.pk}/",
                org=project.org,
                users=users,
            )
        else:
            yield Reminder(
                key=f"due:{period.pk}:{project.pk}",
                kind="report_due",
                title=_("进展报告即将截止：%(project)s（%(period)s，截止 %(deadline)s）")
                % {"project": project.title, "period": period.name, "deadline": period.deadline},
                body="",
                url=f"/campaigns/projects/{project.pk}/",
                org=project.org,
                users=users,
            )
    for report in ProgressReport.objects.filter(status=ReportStatus.RETURNED).select_related(
        "project__lead__user", "project__org", "period"
    ):
        lead_user = report.project.lead.user
        yield Reminder(
            key=f"returned:{report.pk}:{report.revision}",
            kind="report_returned",
            title=_("进展报告被退回：%(project)s（%(period)s）")
            % {"project": report.project.title, "period": report.period.name},
            body=report.review_comment,
            url=f"/checkins/reports/{report.pk}/",
            org=report.project.org,
            users=(lead_user,) if lead_user else (),
        )
    horizon = today + dt.timedelta(days=RECTIFICATION_WARNING_DAYS)
    for item in RectificationItem.objects.filter(
        status=RectificationStatus.OPEN, due_date__lte=horizon
    ).select_related("owner__user", "owner__org", "inspection"):
        owner_user = item.owner.user
        yield Reminder(
            key=f"rectification:{item.pk}:{'overdue' if item.due_date < today else 'due'}",
            kind="rectification_due",
            title=_("整改事项到期：%(item)s（时限 %(due)s）")
            % {"item": item.description[:60], "due": item.due_date},
            body="",
            url=f"/checkins/inspections/{item.inspection_id}/",
            org=item.owner.org,
            users=(owner_user,) if owner_user else (),
        )
    claims = list(
        BenefitClaim.objects.filter(status=ClaimStatus.DECLARED).select_related(
            "project__org", "period"
        )
    )
    if claims:
        prefixes = {p for c in claims for p in c.project.org.ancestor_paths}
        verifiers = list(
            Membership.objects.filter(role=Role.VERIFIER, org__path__in=prefixes).select_related(
                "user", "org"
            )
        )
        for claim in claims:
            users = tuple(
                {
                    v.user.pk: v.user
                    for v in verifiers
                    if claim.project.org.path.startswith(v.org.path)
                    and v.user_id != claim.claimant_id
                }.values()
            )
            yield Reminder(
                key=f"claim:{claim.pk}",
                kind="claim_pending",
                title=_("创效成果待核定：%(project)s %(amount)s 万元（%(period)s）")
                % {
                    "project": claim.project.title,
                    "amount": claim.amount,
                    "period": claim.period.name,
                },
                body=claim.description,
                url=f"/checkins/claims/{claim.pk}/",
                org=claim.project.org,
                users=users,
            )


# Markdown's punctuation, backslash-escaped; angle brackets become their full-width forms,
# since WeCom renders some inline HTML (<font>) and neither robot documents entities.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#~|!])")
_ANGLES = str.maketrans({"<": "＜", ">": "＞"})


def markdown_text(text: str) -> str:
    """Stored text as literal markdown: a project title cannot add a link, an image or
    markup to a group chat."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).translate(_ANGLES)


def robot_payload(kind: str, title: str, body: str) -> dict:
    """The JSON a WeCom or DingTalk group robot accepts for a markdown message."""
    text = f"**{markdown_text(title)}**\n\n{markdown_text(body)}".strip()
    if kind == WebhookKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title[:60], "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post_json(url: str, payload: dict, timeout: float = 5.0) -> int:
    request = urllib.request.Request(  # noqa: S310 - the scheme is validated as http(s) on save
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status


def _robots_for(org: Org, robots: list[OrgWebhook]) -> list[OrgWebhook]:
    return [r for r in robots if org.path.startswith(r.org.path)]


def run(today: dt.date | None = None) -> RunResult:
    """Send every reminder that is due and not yet sent. Safe to run as often as cron likes."""
    today = today or local_today()
    result = RunResult()
    robots = list(OrgWebhook.objects.filter(is_active=True).select_related("org"))
    reminders = list(collect(today))
    overdue_projects = [r for r in reminders if r.kind == "report_overdue"]
    if overdue_projects:
        admins = _org_admins([r.org for r in overdue_projects])
    for reminder in reminders:
        recipients = list(reminder.users)
        if reminder.kind == "report_overdue":
            recipients += admins.get(reminder.org.pk, [])
            project_id = int(reminder.key.rsplit(":", 1)[1])
            project = Project.objects.select_related("campaign__org", "lead").get(pk=project_id)
            if not project.supervisions.filter(closed_at__isnull=True).exists():
                supervision_open(project=project, actor=None)
                result.supervisions += 1
        for user in {u.pk: u for u in recipients}.values():
            if notify(
                user=user,
                key=reminder.key,
                kind=reminder.kind,
                title=reminder.title,
                body=reminder.body,
                url=reminder.url,
            ):
                result.notifications += 1
        for robot in _robots_for(reminder.org, robots):
            delivery, _created = WebhookDelivery.objects.get_or_create(
                webhook=robot, key=reminder.key
            )
            if delivery.delivered:
                continue
            try:
                status = post_json(
                    robot.url, robot_payload(robot.kind, reminder.title, reminder.body)
                )
                delivery.status_code = status
                delivery.delivered = 200 <= status < 300
                delivery.error = ""
            except (urllib.error.URLError, OSError, ValueError) as exc:
                delivery.error = str(exc)[:500]
                delivery.delivered = False
            delivery.save()
            if delivery.delivered:
                result.webhooks += 1
            else:
                result.webhook_failures += 1
                logger.warning(
                    "webhook %s failed for %s: %s", robot.pk, reminder.key, delivery.error
                )
    result.emails = send_pending_emails()
    return result


def send_pending_emails() -> int:
    """Email every inbox entry not yet emailed to users who have an address."""
    pending = (
        Notification.objects.filter(emailed_at__isnull=True)
        .exclude(Q(user__email="") | Q(user__email__isnull=True))
        .select_related("user")
    )
    sent = 0
    for notification in pending:
        send_mail(
            subject=f"[{_('台账')}] {notification.title}",
            message=f"{notification.body}\n\n{notification.url}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.user.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at", "updated_at"])
        sent += 1
    return sent
