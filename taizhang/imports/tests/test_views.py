"""Import pages: access, the upload → columns → dry run → import flow, the background
path for large files, the template."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from taizhang.campaigns.models import Project
from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.imports.models import ImportStatus, LedgerImport
from taizhang.jobs.models import Job, JobKind, JobStatus

from .conftest import SAMPLE, file_upload
from .test_services import ledger, row

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _upload(client, world, upload):
    return client.post(reverse("imports:upload", args=[world.campaign.pk]), {"file": upload})


def _mapping_data(response) -> dict:
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_who_may_import(client, world):
    url = reverse("imports:upload", args=[world.campaign.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(world.participant_a1)
    assert client.get(url).status_code == 404
    client.force_login(world.viewer_group)
    assert client.get(url).status_code == 404
    foreign = CampaignFactory(org=world.company_b)
    client.force_login(world.admin_a1)
    assert client.get(reverse("imports:upload", args=[foreign.pk])).status_code == 404
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("imports:template", args=[world.campaign.pk]) in page.content.decode()


def test_an_upload_is_its_uploaders_alone(client, world):
    client.force_login(world.admin_a1)
    _upload(client, world, ledger(row(1)))
    ledger_import = LedgerImport.objects.get()
    client.force_login(world.admin_company_a)  # an admin above, but not the uploader
    for name in ("report", "mapping"):
        assert client.get(reverse(f"imports:{name}", args=[ledger_import.pk])).status_code == 404
    assert client.post(reverse("imports:apply", args=[ledger_import.pk])).status_code == 404


def test_upload_columns_dry_run_import(client, world):
    client.force_login(world.admin_a1)
    response = _upload(client, world, ledger(row(1), row(2)))
    ledger_import = LedgerImport.objects.get()
    assert response["Location"] == reverse("imports:mapping", args=[ledger_import.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "导入项目1" in html  # sample values beside each column
    data = _mapping_data(page)
    assert data["col_2"] == "title" and data["col_6"] == "lead"
    response = client.post(reverse("imports:mapping", args=[ledger_import.pk]), data)
    assert response["Location"] == reverse("imports:report", args=[ledger_import.pk])
    report = client.get(response["Location"])
    assert report.context["report"]["counts"]["create"] == 2
    assert reverse("imports:apply", args=[ledger_import.pk]) in report.content.decode()
    assert Project.objects.count() == 0
    response = client.post(reverse("imports:apply", args=[ledger_import.pk]), follow=True)
    assert "导入完成：新增 2" in response.content.decode()
    assert Project.objects.count() == 2
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.APPLIED
    # A second click does nothing more.
    response = client.post(reverse("imports:apply", args=[ledger_import.pk]), follow=True)
    assert "该文件已导入" in response.content.decode() and Project.objects.count() == 2


def test_the_report_page_lists_bad_rows_and_offers_no_import(client, world):
    client.force_login(world.admin_a1)
    # An unknown lead alone would be offered for registration: this lead is registered
    # but not a Party member, which no option fixes.
    _upload(client, world, ledger(row(1), row(2, 牵头人="群众甲")))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    client.post(reverse("imports:mapping", args=[ledger_import.pk]), _mapping_data(page))
    html = client.get(reverse("imports:report", args=[ledger_import.pk])).content.decode()
    assert "牵头人必须是中共党员或中共预备党员，群众甲" in html
    assert "没有写入任何数据" in html
    assert 'name="register_unknown"' not in html
    assert reverse("imports:apply", args=[ledger_import.pk]) not in html


def test_a_mapping_without_a_title_column_says_so(client, world):
    client.force_login(world.admin_a1)
    _upload(client, world, ledger(row(1)))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    data = _mapping_data(page)
    data["col_2"] = "ignore"
    response = client.post(reverse("imports:mapping", args=[ledger_import.pk]), data)
    assert response.status_code == 200
    assert "请指定“项目名称”对应的列。" in response.content.decode()


def test_a_rejected_file_shows_its_reason_on_the_form(client, world):
    client.force_login(world.admin_a1)
    response = _upload(client, world, SimpleUploadedFile("ledger.xlsm", SAMPLE.read_bytes()))
    assert response.status_code == 200
    assert "不接受含宏的工作簿" in response.content.decode()
    assert LedgerImport.objects.count() == 0


def test_the_template_downloads_and_its_example_row_is_not_imported(client, world):
    client.force_login(world.admin_a1)
    response = client.get(reverse("imports:template", args=[world.campaign.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet["A4"].value == "示例" and sheet["C3"].value == "项目名称"
    assert "填写说明" in book.sheetnames
    response = _upload(client, world, SimpleUploadedFile("template.xlsx", content))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    response = client.post(reverse("imports:mapping", args=[ledger_import.pk]), _mapping_data(page))
    assert "文件中没有项目数据" in response.content.decode()


@override_settings(TAIZHANG_IMPORT_INLINE_MAX_ROWS=0)
def test_a_large_file_is_checked_and_imported_in_the_background(
    client, sample_world, django_capture_on_commit_callbacks
):
    world = sample_world
    client.force_login(world.admin_company_a)
    _upload(client, world, file_upload(SAMPLE))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:mapping", args=[ledger_import.pk]), _mapping_data(page)
        )
    check = Job.objects.get(kind=JobKind.LEDGER_IMPORT_CHECK)
    assert response["Location"] == reverse("jobs:job_detail", args=[check.pk])
    check.refresh_from_db()
    assert check.status == JobStatus.SUCCEEDED and check.progress == 100
    assert check.result_url == reverse("imports:report", args=[ledger_import.pk])
    status = client.get(reverse("jobs:job_status", args=[check.pk])).content.decode()
    assert "预检完成：新增 2" in status and check.result_url in status
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:apply", args=[ledger_import.pk]))
    apply_job = Job.objects.get(kind=JobKind.LEDGER_IMPORT_APPLY)
    apply_job.refresh_from_db()
    assert apply_job.status == JobStatus.SUCCEEDED, apply_job.error
    assert Project.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@override_settings(TAIZHANG_IMPORT_INLINE_MAX_ROWS=0, TASKS=DATABASE_TASKS)
def test_the_import_job_on_the_database_backend(client, sample_world):
    world = sample_world
    client.force_login(world.admin_company_a)
    _upload(client, world, file_upload(SAMPLE))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    client.post(reverse("imports:mapping", args=[ledger_import.pk]), _mapping_data(page))
    check = Job.objects.get()
    assert check.status == JobStatus.QUEUED
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
    )
    check.refresh_from_db()
    assert check.status == JobStatus.SUCCEEDED, check.error
    client.post(reverse("imports:apply", args=[ledger_import.pk]))
    assert Project.objects.count() == 0  # queued, not run
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
    )
    assert Project.objects.count() == 2
    done = Job.objects.get(kind=JobKind.LEDGER_IMPORT_APPLY)
    assert done.status == JobStatus.SUCCEEDED and done.progress == 100


@override_settings(TAIZHANG_IMPORT_INLINE_MAX_ROWS=0)
def test_registering_unknown_people_in_the_background(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a1)
    _upload(client, world, ledger(row(1, 牵头人="新党员", 参与人员="新群众")))
    ledger_import = LedgerImport.objects.get()
    page = client.get(reverse("imports:mapping", args=[ledger_import.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:mapping", args=[ledger_import.pk]), _mapping_data(page))
    html = client.get(reverse("imports:report", args=[ledger_import.pk])).content.decode()
    assert 'name="register_unknown"' in html and "新党员" in html and "新群众" in html
    # Unticked: refused before a job is queued.
    response = client.post(reverse("imports:apply", args=[ledger_import.pk]), follow=True)
    assert "文件中有未登记的人员" in response.content.decode()
    assert not Job.objects.filter(kind=JobKind.LEDGER_IMPORT_APPLY).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:apply", args=[ledger_import.pk]), {"register_unknown": "on"})
    job = Job.objects.get(kind=JobKind.LEDGER_IMPORT_APPLY)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params["register_unknown"] is True
    project = Project.objects.get()
    assert project.lead.name == "新党员" and project.lead.political_status == "member"
    assert [p.person.name for p in project.participants.all()] == ["新群众"]
