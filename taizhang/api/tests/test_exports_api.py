"""Files out with a token: the ledger (inline or as a job), the assessment sheet and the Word
documents; scope (404), read-only tokens (allowed: exports read), bad input (the error
shape, no job started)."""

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.test import override_settings
from docx import Document

from taizhang.analysis.tests.conftest import analysis  # noqa: F401 - fixture
from taizhang.assessment import services as assessment
from taizhang.assessment.tests.conftest import q3, running, submit_report  # noqa: F401
from taizhang.assessment.tests.views_support import scored_fixture  # noqa: F401 - fixture
from taizhang.checkins.models import Inspection
from taizhang.exports.tests.ledger_builders import build_ledger
from taizhang.jobs.models import Job, JobKind, JobStatus
from taizhang.jobs.services import job_create

from .conftest import error_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment"), disposition
    return unquote(disposition.split("filename*=utf-8''")[-1])


def _codes(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [row[1] for row in book["项目"].iter_rows(min_row=4, values_only=True) if row[1]]


def _ledger(world) -> str:
    return f"/campaigns/{world.campaign.pk}/exports/ledger"


# --------------------------------------------------------------------------- the ledger


def test_small_ledger_comes_back_inline_even_to_a_read_only_token(api, world):
    build_ledger(world, 2)
    client = api(world.admin_company_a, "read")
    response = client.post(_ledger(world), {"status": "in_progress"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    assert _filename(response).endswith(".xlsx")
    assert _codes(_content(response)) == ["TZ-0001", "TZ-0002"]
    assert not Job.objects.exists()


def test_ledger_filters_are_the_ledger_pages(api, world):
    build_ledger(world, 2)
    build_ledger(world, 1, org=world.branch_a2, prefix="B2")
    client = api(world.admin_company_a, "read")
    only_a2 = client.post(_ledger(world), {"org": world.branch_a2.pk})
    assert _codes(_content(only_a2)) == ["B2-0001"]
    searched = client.post(_ledger(world), {"q": "TZ-0002"})
    assert _codes(_content(searched)) == ["TZ-0002"]


@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=2)
def test_large_ledger_is_a_job_followed_and_downloaded_with_the_token(
    api, world, django_capture_on_commit_callbacks
):
    build_ledger(world, 3)
    client = api(world.admin_company_a, "read")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(_ledger(world), {})
    assert started.status_code == 202, started.content
    job = Job.objects.get()
    assert job.kind == JobKind.LEDGER_EXPORT and job.owner == world.admin_company_a
    assert started.json()["id"] == job.pk

    status = client.get(f"/jobs/{job.pk}")
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == JobStatus.SUCCEEDED and body["progress"] == 100
    assert body["file_url"] == f"/api/v1/jobs/{job.pk}/file"
    assert body["file_name"].endswith(".xlsx")

    download = client.get(body["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert _codes(_content(download)) == ["TZ-0001", "TZ-0002", "TZ-0003"]
    assert client.get("/jobs").json()["count"] == 1


def test_background_flag_makes_a_small_export_a_job(api, world, django_capture_on_commit_callbacks):
    build_ledger(world, 1)
    client = api(world.admin_company_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_ledger(world), {"background": True})
    assert response.status_code == 202
    assert Job.objects.get().params["query"] == "sort=code"


def test_someone_elses_job_is_404(api, world):
    job = job_create(owner=world.admin_company_a, kind=JobKind.LEDGER_EXPORT, title="x")
    other = api(world.admin_a1, "read")
    assert error_of(other.get(f"/jobs/{job.pk}"))["code"] == "not_found"
    assert other.get(f"/jobs/{job.pk}/file").status_code == 404
    assert other.get("/jobs").json()["count"] == 0


def test_unfinished_job_file_is_409_and_failed_job_file_is_404(api, world):
    job = job_create(owner=world.admin_company_a, kind=JobKind.LEDGER_EXPORT, title="x")
    client = api(world.admin_company_a, "read")
    response = client.get(f"/jobs/{job.pk}/file")
    assert response.status_code == 409
    assert error_of(response)["code"] == "job_not_finished"
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="boom")
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404
    assert client.get(f"/jobs/{job.pk}").json()["file_url"] is None


def test_ledger_of_an_org_out_of_scope_is_404_and_starts_nothing(api, world):
    build_ledger(world, 1)
    client = api(world.admin_a2, "read")
    response = client.post(_ledger(world), {"org": world.branch_a1.pk, "background": True})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert (
        api(world.admin_a1)
        .post(f"/campaigns/{world.campaign.pk + 99}/exports/ledger", {})
        .status_code
        == 404
    )
    assert not Job.objects.exists()


def test_ledger_without_matching_projects_is_422(api, world):
    response = api(world.admin_company_a, "read").post(_ledger(world), {})
    assert response.status_code == 422
    assert error_of(response)["code"] == "empty"
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "nonsense"}, "status"),
        ({"colour": "red"}, "colour"),
        ({"org": "three"}, "org"),
        ({"sort": "drop table"}, "sort"),
    ],
)
def test_bad_ledger_input_is_the_error_shape(api, world, body, field):
    build_ledger(world, 1)
    response = api(world.admin_company_a).post(_ledger(world), body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not Job.objects.exists()


def test_revoked_or_missing_token_is_401(api, world):
    from .conftest import ApiClient

    response = ApiClient("tz_not_a_token").post(_ledger(world), {})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_read_only_token_still_cannot_write_elsewhere(api, world):
    """The exports' exception is per operation: other POSTs stay closed to it."""
    response = api(world.admin_company_a, "read").post(
        f"/campaigns/{world.campaign.pk}/periods/generate"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "read_only_token"


# --------------------------------------------------------------------------- Word documents


def test_summary_application_and_record_with_a_read_only_token(api, world, analysis):  # noqa: F811
    client = api(world.admin_company_a, "read")
    summary = client.get(
        f"/campaigns/{analysis.campaign.pk}/exports/summary",
        {"org": world.company_a.pk, "period": analysis.q2.pk},
    )
    assert summary.status_code == 200, summary.content
    assert summary["Content-Type"] == DOCX
    assert _filename(summary) == "2020年两带两创-公司甲-2020年第2季度-分析总结.docx"
    assert Document(io.BytesIO(summary.content)).paragraphs

    own = analysis.projects["A1"]
    application = client.get(f"/projects/{own.pk}/exports/application")
    assert application.status_code == 200 and application["Content-Type"] == DOCX
    cells = [
        cell.text
        for table in Document(io.BytesIO(application.content)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert own.title in cells

    inspection = Inspection.objects.filter(target_org=world.branch_a2).first()
    record = client.get(f"/inspections/{inspection.pk}/exports/record")
    assert record.status_code == 200 and record["Content-Type"] == DOCX


def test_documents_out_of_scope_are_404(api, world, analysis):  # noqa: F811
    client = api(world.admin_a1, "read")
    summary = f"/campaigns/{analysis.campaign.pk}/exports/summary"
    assert error_of(client.get(summary, {"org": world.branch_a2.pk}))["code"] == "not_found"
    assert client.get(summary, {"org": world.branch_a1.pk, "period": 999999}).status_code == 404
    sibling = analysis.projects["B1"]
    assert client.get(f"/projects/{sibling.pk}/exports/application").status_code == 404
    deleted = analysis.projects["X9"]
    assert client.get(f"/projects/{deleted.pk}/exports/application").status_code == 404
    unseen = Inspection.objects.get(target_org=world.branch_a2)
    assert client.get(f"/inspections/{unseen.pk}/exports/record").status_code == 404


def test_summary_of_an_empty_period_is_422_with_the_reason(api, world, analysis):  # noqa: F811
    response = api(world.admin_company_a).get(
        f"/campaigns/{analysis.campaign.pk}/exports/summary",
        {"org": world.company_a.pk, "period": analysis.q3.pk},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "empty_period"
    assert "没有已提交的进展报告" in error["message"]


def test_summary_bad_query_is_422(api, world, analysis):  # noqa: F811
    response = api(world.admin_company_a).get(
        f"/campaigns/{analysis.campaign.pk}/exports/summary", {"org": "x"}
    )
    assert response.status_code == 422
    assert "org" in error_of(response)["fields"]


# --------------------------------------------------------------------------- assessment sheet


def test_assessment_sheet_with_a_token_and_its_scope(api, world, scored, running):  # noqa: F811
    project, (goal,) = running()
    submit_report(project, scored.period, {goal: 40})
    assessment.assessment_publish(
        actor=world.admin_company_a, scheme=scored.scheme, period=scored.period
    )
    url = f"/campaigns/{world.campaign.pk}/exports/assessment-sheet"
    client = api(world.admin_company_a, "read")
    response = client.get(url, {"period": scored.period.pk, "org": world.company_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(_content(response)))
    assert book.sheetnames == ["组织排名", "项目得分", "说明"]

    sibling = api(world.admin_a1, "read")
    assert sibling.get(url, {"org": world.branch_a2.pk}).status_code == 404
    assert client.get(url, {"run": "latest"}).status_code == 422
