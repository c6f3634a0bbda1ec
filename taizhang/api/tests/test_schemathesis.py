"""Property-based run over the live OpenAPI schema (schemathesis): for every operation,
generated requests — valid and invalid — with a read-write token never get a server error,
and every response, errors included, matches the documented status codes and schemas.

Bounded to stay well under two minutes: a few fuzzed examples per operation, no example
database (every run is the same, from the fixed seed), and ids in paths are sometimes
swapped for ids of real records so the generated bodies reach the services, not only 404.
"""

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from taizhang.assessment import services as assessment
from taizhang.campaigns import services as campaigns
from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import (
    CampaignFactory,
    GoalFactory,
    MeasureFactory,
    ProjectFactory,
)
from taizhang.checkins import services as checkins
from taizhang.checkins.services import RectificationInput
from taizhang.jobs.models import JobKind
from taizhang.jobs.services import job_create
from taizhang.orgs.models import Membership, PoliticalStatus, Role
from taizhang.orgs.tests.factories import MembershipFactory, OrgFactory, PersonFactory
from taizhang.users.tests.factories import UserFactory

from .conftest import make_token

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _build() -> dict:
    """A small tree with one record of each kind the API addresses, visible to the company
    admin whose token the run uses (built once for the module: see `shared`)."""
    group = OrgFactory(name="集团", kind="group")
    company = OrgFactory(name="公司甲", kind="company", parent=group)
    branch = OrgFactory(name="甲一支部", kind="branch", parent=company)
    admin = UserFactory(username="fuzz_admin")
    MembershipFactory(user=admin, org=company, role=Role.ORG_ADMIN)
    lead_user = UserFactory(username="fuzz_lead")
    MembershipFactory(user=lead_user, org=branch, role=Role.PROJECT_LEAD)
    lead = PersonFactory(org=branch, user=lead_user, political_status=PoliticalStatus.MEMBER)
    member = PersonFactory(org=branch, political_status=PoliticalStatus.MEMBER)
    masses = PersonFactory(org=branch, political_status=PoliticalStatus.MASSES)
    colleague = PersonFactory(org=branch, political_status=PoliticalStatus.MASSES)
    campaign = CampaignFactory(org=company, name="2020年两带两创")
    project = ProjectFactory(
        campaign=campaign,
        org=branch,
        lead=lead,
        status=ProjectStatus.IN_PROGRESS,
        project_type=campaign.project_types.get(short_name="创效"),
    )
    goal = GoalFactory(project=project, name="目标利润", target=Decimal(500))
    measure = MeasureFactory(project=project, description="独居石贸易")
    periods = checkins.periods_generate(actor=admin, campaign=campaign)
    report = checkins.report_start(actor=lead_user, project=project, period=periods[0])
    claim = checkins.claim_declare(
        actor=lead_user,
        project=project,
        period=periods[0],
        amount=Decimal("10"),
        source="trade_profit",
    )
    participant = campaigns.participant_add(actor=admin, project=project, person=masses)
    pairing = campaigns.pairing_create(
        actor=admin, campaign=campaign, member=member, colleague=colleague
    )
    inspection = checkins.inspection_create(
        actor=admin,
        campaign=campaign,
        inspecting_org=company,
        project=project,
        date=date(2020, 6, 1),
        inspectors="检查组",
        methods=["briefing"],
        findings="台账齐全",
        rating="good",
        items=[RectificationInput("补充佐证", lead, date(2020, 7, 1))],
    )
    scheme = assessment.scheme_create(
        actor=admin, campaign=campaign, spec=assessment.default_scheme_spec()
    )
    run = assessment.assessment_publish(actor=admin, scheme=scheme, period=periods[0])
    attachment = campaigns.attachment_add(
        actor=admin,
        project=project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
    )
    job = job_create(owner=admin, kind=JobKind.LEDGER_EXPORT, title="导出台账")
    ids = {
        "item_id": inspection.items.get().pk,
        "attachment_id": attachment.pk,
        "job_id": job.pk,
        "org_id": branch.pk,
        "person_id": lead.pk,
        "membership_id": Membership.objects.filter(org=branch).first().pk,
        "campaign_id": campaign.pk,
        "project_id": project.pk,
        "goal_id": goal.pk,
        "measure_id": measure.pk,
        "participant_id": participant.pk,
        "pairing_id": pairing.pk,
        "period_id": periods[0].pk,
        "report_id": report.pk,
        "claim_id": claim.pk,
        "inspection_id": inspection.pk,
        "run_id": run.pk,
    }
    return {"token": make_token(admin, "write"), "ids": ids}


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """The data, built once for all operations inside a transaction rolled back at the end of
    the module; each operation's test runs in its own savepoint (the `db` fixture), so what
    one operation changes does not leak into the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Loaded through the app itself, as a client would read it. (Not through a pytest fixture:
# schemathesis' lazy `from_fixture` reads `request.node._nodeid`, which pytest 9 renamed.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none")
schema.config.phases.update(phases=["examples", "fuzzing"])

# Filled by the `token` fixture for the running test; read while cases are generated.
REAL_IDS: dict[str, int] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = {k: REAL_IDS[k] for k in (path_parameters or {}) if k in REAL_IDS}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


@pytest.fixture
def token(shared, db) -> str:
    REAL_IDS.clear()
    REAL_IDS.update(shared["ids"])
    # The WSGI handler closes "old" connections when a request starts and ends; inside the
    # test's transaction that would close PostgreSQL's connection (Django's own test client
    # unhooks the same receivers around each request).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield shared["token"]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        REAL_IDS.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
