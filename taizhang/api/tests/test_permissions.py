"""The permission matrix through the API: the same rules as the web pages.

A sibling branch gets 404 on another branch's project, report and claim, for reading and for
writing (it may not learn they exist); a reader who may see but not change gets 403; in
every refused case nothing changes.
"""

from decimal import Decimal

import pytest

from taizhang.campaigns.models import Project
from taizhang.checkins import services as checkins
from taizhang.checkins.models import BenefitClaim, ProgressReport

from .conftest import ApiClient, error_of, make_token


@pytest.fixture
def records(world, checkin):
    """Branch a1's running project with a submitted report and a declared claim."""
    period = checkin.periods[0]
    report = checkins.report_start(actor=world.lead_a1, project=checkin.project, period=period)
    checkins.report_save(
        actor=world.lead_a1,
        report=report,
        progress="进展",
        actuals={checkin.profit.pk: "100", checkin.loss.pk: "100"},
    )
    report = checkins.report_submit(actor=world.lead_a1, report=report)
    claim = checkins.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=period,
        amount=Decimal("12.5"),
        source="trade_profit",
    )
    return type("Records", (), {"project": checkin.project, "report": report, "claim": claim})


def _state(records) -> tuple:
    project = Project.objects.get(pk=records.project.pk)
    report = ProgressReport.objects.get(pk=records.report.pk)
    claim = BenefitClaim.objects.get(pk=records.claim.pk)
    return (
        project.lock_version,
        project.title,
        project.goals.count(),
        report.lock_version,
        report.status,
        claim.lock_version,
        claim.status,
    )


READS = {
    "project": lambda r: ("get", f"/projects/{r.project.pk}", None),
    "report": lambda r: ("get", f"/reports/{r.report.pk}", None),
    "claim": lambda r: ("get", f"/claims/{r.claim.pk}", None),
}

WRITES = {
    "edit project": lambda r: (
        "patch",
        f"/projects/{r.project.pk}",
        {"version": r.project.lock_version, "title": "改名"},
    ),
    "add goal": lambda r: ("post", f"/projects/{r.project.pk}/goals", {"name": "新", "target": 9}),
    "terminate project": lambda r: (
        "post",
        f"/projects/{r.project.pk}/transitions",
        {"action": "terminate", "reason": "不做了"},
    ),
    "return report": lambda r: (
        "post",
        f"/reports/{r.report.pk}/return",
        {"version": r.report.lock_version, "comment": "重写"},
    ),
    "verify claim": lambda r: (
        "post",
        f"/claims/{r.claim.pk}/verify",
        {"version": r.claim.lock_version},
    ),
    "reject claim": lambda r: (
        "post",
        f"/claims/{r.claim.pk}/reject",
        {"version": r.claim.lock_version, "reason": "不实"},
    ),
}


def _call(api: ApiClient, request):
    method, path, body = request
    return api.get(path) if method == "get" else api.send(method, path, body)


@pytest.mark.parametrize("who", ["admin_a2", "lead_a2"])
@pytest.mark.parametrize("what", sorted(READS))
def test_sibling_branch_cannot_see_another_branch(world, records, who, what):
    api = ApiClient(make_token(getattr(world, who)))
    response = _call(api, READS[what](records))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("who", ["admin_a2", "lead_a2"])
@pytest.mark.parametrize("what", sorted(WRITES))
def test_sibling_branch_cannot_write_another_branch(world, records, who, what):
    before = _state(records)
    api = ApiClient(make_token(getattr(world, who)))
    response = _call(api, WRITES[what](records))
    assert response.status_code == 404, response.content
    assert _state(records) == before


@pytest.mark.parametrize("who", ["admin_a2", "lead_a2"])
def test_sibling_lists_leave_the_other_branch_out(world, records, who):
    api = ApiClient(make_token(getattr(world, who)))
    for path in ["/projects", "/reports", "/claims"]:
        assert api.get(path).json()["count"] == 0, path


@pytest.mark.parametrize("what", sorted(READS))
def test_viewer_reads_its_subtree(world, records, what):
    api = ApiClient(make_token(world.viewer_group))
    assert _call(api, READS[what](records)).status_code == 200


@pytest.mark.parametrize("what", sorted(WRITES))
def test_viewer_cannot_write(world, records, what):
    before = _state(records)
    api = ApiClient(make_token(world.viewer_group))
    response = _call(api, WRITES[what](records))
    assert response.status_code == 403, response.content
    assert error_of(response)["code"] == "forbidden"
    assert _state(records) == before


def test_participant_reads_but_cannot_edit(world, records):
    api = ApiClient(make_token(world.participant_a1))
    assert api.get(f"/projects/{records.project.pk}").status_code == 200
    before = _state(records)
    response = _call(api, WRITES["edit project"](records))
    assert response.status_code == 403
    assert _state(records) == before


def test_claimant_cannot_verify_own_claim(world, records):
    api = ApiClient(make_token(world.lead_a1))
    response = _call(api, WRITES["verify claim"](records))
    assert response.status_code == 403
    assert error_of(response)["code"] == "self_verification"


def test_branch_admin_and_company_admin_may_write(world, records):
    for user in (world.admin_a1, world.admin_company_a):
        api = ApiClient(make_token(user))
        project = Project.objects.get(pk=records.project.pk)
        response = api.patch(
            f"/projects/{project.pk}", {"version": project.lock_version, "title": user.username}
        )
        assert response.status_code == 200, response.content
        assert response.json()["title"] == user.username


def test_verifier_verifies_with_evidence(world, records, checkin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = ApiClient(make_token(world.lead_a1))
    upload = SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = lead.client.post(
        f"/api/v1/claims/{records.claim.pk}/evidence",
        {"file": upload},
        headers={"Authorization": f"Bearer {lead.token}"},
    )
    assert response.status_code == 201, response.content
    verifier = ApiClient(make_token(checkin.verifier))
    claim = BenefitClaim.objects.get(pk=records.claim.pk)
    response = verifier.post(
        f"/claims/{claim.pk}/verify", {"version": claim.lock_version, "verified_amount": "10.00"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "verified" and Decimal(body["verified_amount"]) == Decimal("10")
    assert body["verifier"] == checkin.verifier.username
