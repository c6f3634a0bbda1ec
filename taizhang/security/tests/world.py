"""One shared data set for the security suite: a record of every kind, owned by branch A1.

Built once per test module (`sec` fixture in conftest.py) inside an outer transaction that is
rolled back at the end, so each test runs in a savepoint over the same rows.

Every user-editable text of branch A1's records carries `A_MARK` (and the stored-XSS payload);
company A's campaign-level records carry `CO_MARK`. A sibling branch (A2) may see company A's
campaign but never `A_MARK`; company B's users may see neither.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.conftest import World, build_world

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
XSS_RAW = "<script>alert(1)"
XSS_ESCAPED = "&lt;script&gt;alert(1)"
A_MARK = "zqxbrancha1"
CO_MARK = "zqxcompanya"


def a_text(label: str) -> str:
    """A text of branch A1: the marker, a label and the payload."""
    return f"{A_MARK}{label}{XSS}"


def co_text(label: str) -> str:
    return f"{CO_MARK}{label}{XSS}"


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.4 {A_MARK}".encode(), content_type="application/pdf")


@dataclass
class SecWorld:
    world: World
    admin_b1: Any
    lead_b1: Any
    # route parameter name -> the record of branch A1 (or company A) it stands for
    records: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def build() -> SecWorld:  # noqa: PLR0915 - one straight script of fixtures is easiest to read
    from taizhang.api import services as api_services
    from taizhang.assessment import results_day
    from taizhang.assessment import services as assessment
    from taizhang.assessment.models import EntryKind
    from taizhang.campaigns import services as campaigns
    from taizhang.campaigns.models import Campaign, ProjectStatus
    from taizhang.campaigns.tests.factories import (
        GoalFactory,
        MeasureFactory,
        PairingFactory,
        ParticipantFactory,
        ProjectFactory,
    )
    from taizhang.checkins import services as checkins
    from taizhang.checkins.models import Notification
    from taizhang.checkins.services import RectificationInput
    from taizhang.imports.models import LedgerImport
    from taizhang.jobs.models import Job, JobKind, JobStatus
    from taizhang.orgs.models import Membership, PoliticalStatus, Role
    from taizhang.orgs.tests.factories import MembershipFactory, PersonFactory
    from taizhang.users.tests.factories import UserFactory
    from taizhang.webhooks import services as webhooks
    from taizhang.webhooks.models import Delivery

    w = build_world()
    admin_b1 = UserFactory(username="admin_b1")
    MembershipFactory(user=admin_b1, org=w.branch_b1, role=Role.ORG_ADMIN)
    lead_b1 = UserFactory(username="lead_b1")
    MembershipFactory(user=lead_b1, org=w.branch_b1, role=Role.PROJECT_LEAD)
    PersonFactory(org=w.branch_b1, user=lead_b1, name="lead_b1")

    campaign = Campaign.objects.get(pk=w.campaign.pk)
    campaign.name = co_text("活动")
    campaign.save()
    w.campaign = campaign
    person = PersonFactory(
        org=w.branch_a1, name=a_text("人员"), political_status=PoliticalStatus.MEMBER
    )
    colleague = PersonFactory(
        org=w.branch_a1, name=a_text("群众"), political_status=PoliticalStatus.MASSES
    )
    project = ProjectFactory(
        campaign=campaign,
        org=w.branch_a1,
        lead=w.lead_person_a1,
        title=a_text("项目"),
        status=ProjectStatus.IN_PROGRESS,
        project_type=campaign.project_types.get(short_name="创效"),
    )
    goal = GoalFactory(project=project, name=a_text("指标"), target=Decimal(100))
    measure = MeasureFactory(project=project, description=a_text("措施"))
    participant = ParticipantFactory(project=project, person=person)
    attachment = campaigns.attachment_add(actor=w.admin_a1, project=project, upload=pdf("plan.pdf"))
    pairing = PairingFactory(campaign=campaign, member=person, colleague=colleague)

    periods = checkins.periods_generate(actor=w.admin_company_a, campaign=campaign)
    period = periods[0]
    report = checkins.report_start(actor=w.lead_a1, project=project, period=period)
    checkins.report_save(
        actor=w.lead_a1, report=report, progress=a_text("进展"), actuals={goal.pk: "40"}
    )
    report = checkins.report_submit(actor=w.lead_a1, report=report)
    claim = checkins.claim_declare(
        actor=w.lead_a1,
        project=project,
        period=period,
        amount="12.5",
        source="other",
        description=a_text("成果"),
    )
    inspection = checkins.inspection_create(
        actor=w.admin_a1,
        campaign=campaign,
        inspecting_org=w.branch_a1,
        project=project,
        date=dt.date(2020, 3, 1),
        inspectors=a_text("检查人"),
        methods=["site"],
        findings=a_text("发现"),
        rating="fair",
        items=[
            RectificationInput(
                description=a_text("整改"), owner=w.lead_person_a1, due_date=dt.date(2020, 3, 31)
            )
        ],
    )
    rectification = inspection.items.get()
    evidence = checkins.evidence_add(actor=w.lead_a1, upload=pdf(), claim=claim)
    notification = Notification.objects.create(
        user=w.lead_a1, key="sec", kind="reminder", title=a_text("通知"), body=a_text("正文")
    )
    checkins.org_webhook_create(
        actor=w.admin_a1, org=w.branch_a1, kind="wecom", url="https://example.com/robot"
    )
    checkins.supervision_open(project=project, actor=w.admin_company_a, report=report)

    scheme = assessment.scheme_create(
        actor=w.admin_company_a, campaign=campaign, spec=assessment.default_scheme_spec()
    )
    entry = assessment.entry_add(
        actor=w.admin_a1,
        scheme=scheme,
        period=period,
        kind=EntryKind.BONUS,
        item_id=scheme.bonuses.first().pk,
        value="1",
        note=a_text("加分理由"),
        project=project,
    )
    run = assessment.draft_compute(scheme=scheme, period=period)
    day = results_day.results_day_create(
        actor=w.admin_company_a,
        campaign=campaign,
        name=co_text("发布日"),
        date=dt.date(2020, 12, 1),
    )
    candidate = results_day.candidate_add(actor=w.admin_company_a, day=day, project=project)

    endpoint = webhooks.endpoint_create(
        actor=w.admin_a1,
        org=w.branch_a1,
        url="https://example.com/hook",
        events=["project.approved"],
        description=a_text("外发"),
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event="project.approved", body="{}")
    token, _raw = api_services.token_create(actor=w.admin_a1, name=a_text("令牌"), scope="write")
    job = Job.objects.create(
        owner=w.admin_a1,
        kind=JobKind.LEDGER_EXPORT,
        title=a_text("导出"),
        status=JobStatus.SUCCEEDED,
        progress=100,
        result_name="ledger.xlsx",
    )
    job.result_file.save("ledger.xlsx", ContentFile(A_MARK.encode()), save=True)
    ledger_import = LedgerImport.objects.create(
        owner=w.admin_a1, campaign=campaign, file_name=a_text("导入") + ".xlsx"
    )
    membership = Membership.objects.get(user=w.lead_a1, org=w.branch_a1)

    # Deleted rows of branch A1, one of every kind the trash holds: the restore routes are
    # probed with these (probed with live rows they would answer 404 to anyone).
    trashed_project = ProjectFactory(
        campaign=campaign,
        org=w.branch_a1,
        lead=w.lead_person_a1,
        title=a_text("已删项目"),
        status=ProjectStatus.IN_PROGRESS,
        project_type=campaign.project_types.get(short_name="创效"),
    )
    campaigns.project_delete(actor=w.admin_a1, project=trashed_project)
    trashed = {
        "goal": GoalFactory(project=project, name=a_text("已删指标"), target=Decimal(5)),
        "measure": MeasureFactory(project=project, description=a_text("已删措施")),
        "participant": ParticipantFactory(
            project=project,
            person=PersonFactory(
                org=w.branch_a1, name=a_text("已删人员"), political_status=PoliticalStatus.MEMBER
            ),
        ),
        "attachment": campaigns.attachment_add(
            actor=w.admin_a1, project=project, upload=pdf(f"{A_MARK}已删附件.pdf")
        ),
    }
    for item in trashed.values():
        campaigns.child_delete(actor=w.admin_a1, item=item)

    records = {
        "project": project,
        "campaign": campaign,
        "goal": goal,
        "measure": measure,
        "participant": participant,
        "attachment": attachment,
        "pairing": pairing,
        "period": period,
        "report": report,
        "claim": claim,
        "inspection": inspection,
        "rectification": rectification,
        "evidence": evidence,
        "notification": notification,
        "org": w.branch_a1,
        "person": person,
        "membership": membership,
        "scheme": scheme,
        "entry": entry,
        "run": run,
        "day": day,
        "candidate": candidate,
        "endpoint": endpoint,
        "delivery": delivery,
        "token": token,
        "job": job,
        "import": ledger_import,
        "trashed_project": trashed_project,
        **{f"trashed_{kind}": item for kind, item in trashed.items()},
    }
    return SecWorld(world=w, admin_b1=admin_b1, lead_b1=lead_b1, records=records)


# Records of company A's campaign level (a sibling branch may see them, company B may not).
COMPANY_LEVEL = {"campaign", "period", "scheme", "run", "day"}


def _models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {
            "users",
            "orgs",
            "campaigns",
            "checkins",
            "assessment",
            "webhooks",
            "api",
            "jobs",
            "imports",
            "core",
        }
        and not m._meta.proxy
    ]


def _fingerprint_sql() -> tuple[list[str], str]:
    from django.db import connection

    labels, parts = [], []
    q = connection.ops.quote_name
    for model in _models():
        table = q(model._meta.db_table)
        names = {f.name: f.column for f in model._meta.concrete_fields}
        columns = [("n", "COUNT(*)"), ("top", f"MAX({q(model._meta.pk.column)})")]
        for name in ("updated_at", "lock_version", "deleted_at", "last_used_at", "revoked_at"):
            if name in names:
                columns.append((name, f"MAX({q(names[name])})"))
        for name, expression in columns:
            labels.append(f"{model._meta.label}.{name}")
            # Table and column names come from the model registry, never from input.
            parts.append(f"(SELECT {expression} FROM {table})")  # noqa: S608
    return labels, "SELECT " + ", ".join(parts)


def fingerprint() -> dict[str, Any]:
    """Row count, highest id and latest change of every domain table (history and the audit
    chain included), in one query: any write a refused request let through shows up here."""
    from django.db import connection

    labels, sql = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(labels, row, strict=True))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


# --------------------------------------------------------------------------- stored XSS

# A text that turns into a formula if an export writes it as one (OWASP "CSV injection").
FORMULA = '=HYPERLINK("https://evil.example/x","zqxformula")'
# The payload for columns too short for XSS: still a tag a page must not emit raw.
XSS_SHORT = "<zqx>"
# Columns that hold no user-editable text: machine keys, hashes, paths and codes other code
# parses (a tree path, a file name in storage, a JSON body). Everything else gets the payload.
NOT_TEXT = {
    "password",
    "path",
    "org_path",
    "file",
    "evidence",
    "key",
    "kind",
    "url",
    "result_url",
    "secret",
    "prefix",
    "token_hash",
    "fingerprint",
    "digest",
    "report_digest",
    "prev_hash",
    "hash",
    "model",
    "fields",
    "task_id",
    "task_backend",
    "operation",
    "event",
    "body",
    "action",
}


def _text_columns(model) -> list:
    from django.db import models

    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField | models.URLField | models.SlugField)
        and not f.choices
        and not f.primary_key
        and f.name not in NOT_TEXT
    ]


def _loaded(value: str, max_length: int | None) -> str:
    """`value` between the formula and the payload, or the longest of them that fits; the
    value itself always stays (unique columns stay unique)."""
    for loaded in (f"{FORMULA}{value}{XSS}", f"{value}{XSS}", f"{value}{XSS_SHORT}"):
        if max_length is None or len(loaded) <= max_length:
            return loaded
    return value


def saturate() -> dict[str, list[str]]:
    """Put the payload (and a formula prefix where it fits) into every user-editable text
    column of every domain row, history rows included, bypassing the forms and services as an
    import or a compromised client might. Returns model label -> the columns loaded."""
    loaded: dict[str, list[str]] = {}
    for model in _models():
        columns = _text_columns(model)
        if not columns:
            continue
        manager = model._base_manager
        names = [f.name for f in columns]
        for pk, *values in manager.values_list("pk", *names):
            changes = {
                f.name: _loaded(v or "", f.max_length)
                for f, v in zip(columns, values, strict=True)
                if v is not None
            }
            manager.filter(pk=pk).update(**changes)
        loaded[model._meta.label] = names
    return loaded
