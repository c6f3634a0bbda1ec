"""Job files past their retention are removed; the job rows stay and say so."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from taizhang.jobs import storage as storage_module
from taizhang.jobs.models import Job, JobKind, JobStatus
from taizhang.jobs.services import job_create, job_files_prune

DAY = dt.timedelta(days=1)


@pytest.fixture
def storage(settings, tmp_path):
    """A private storage of this test's own: the orphan sweep reads the whole jobs/ folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    storage_module._private._wrapped = empty
    yield storage_module.private_storage()
    storage_module._private._wrapped = empty


def _age(storage, name: str, days: float) -> None:
    then = (timezone.now() - days * DAY).timestamp()
    os.utime(storage.path(name), (then, then))


def _finished_job(owner, storage, *, days_ago: float, name: str = "台账.xlsx") -> Job:
    job = job_create(owner=owner, kind=JobKind.LEDGER_EXPORT, title="导出")
    job.result_file.save(name, ContentFile(b"x" * 1000), save=False)
    job.result_name = name
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.finished_at = timezone.now() - days_ago * DAY
    job.save()
    _age(storage, job.result_file.name, days_ago)
    return job


def _orphan(storage, folder: str, days_ago: float) -> str:
    name = storage.save(f"jobs/{folder}/旧文件.xlsx", ContentFile(b"y" * 500))
    _age(storage, name, days_ago)
    return name


def test_old_files_go_the_jobs_stay_and_recent_files_are_kept(world, storage):
    old = _finished_job(world.admin_a1, storage, days_ago=8)
    recent = _finished_job(world.admin_a1, storage, days_ago=2)
    old_path, recent_path = old.result_file.name, recent.result_file.name
    stray_old = _orphan(storage, "a" * 32, days_ago=9)
    stray_new = _orphan(storage, "b" * 32, days_ago=0)  # a job being saved right now

    result = job_files_prune(older_than=7 * DAY)

    assert (result.expired, result.orphans, result.bytes) == (1, 1, 1500)
    assert not storage.exists(old_path) and not storage.exists(stray_old)
    assert not os.path.exists(storage.path(os.path.dirname(old_path)))  # its folder too
    assert storage.exists(recent_path) and storage.exists(stray_new)
    old.refresh_from_db()
    assert old.result_file.name == "" and old.result_name == "台账.xlsx" and old.file_expired
    recent.refresh_from_db()
    assert recent.result_file.name == recent_path and not recent.file_expired
    # Nothing left to do: a second run removes nothing.
    assert job_files_prune(older_than=7 * DAY) == type(result)(0, 0, 0)


def test_a_dry_run_counts_and_removes_nothing(world, storage):
    old = _finished_job(world.admin_a1, storage, days_ago=30)
    stray = _orphan(storage, "c" * 32, days_ago=30)
    result = job_files_prune(older_than=7 * DAY, dry_run=True)
    assert (result.expired, result.orphans) == (1, 1)
    assert storage.exists(old.result_file.name) and storage.exists(stray)
    old.refresh_from_db()
    assert old.result_file and not old.file_expired


def test_the_command_uses_the_setting_or_days_and_refuses_bad_days(world, storage, settings):
    settings.TAIZHANG_JOB_FILE_DAYS = 40
    job = _finished_job(world.admin_a1, storage, days_ago=30)
    call_command("prune_files", stdout=(out := _Out()))
    assert "超过 40 天" in out.text and storage.exists(job.result_file.name)
    call_command("prune_files", "--days", "10", "--dry-run", stdout=(out := _Out()))
    assert out.text.startswith("将删除：") and storage.exists(job.result_file.name)
    call_command("prune_files", "--days", "10", stdout=(out := _Out()))
    assert out.text.startswith("已删除：") and not storage.exists(job.result_file.name)
    with pytest.raises(CommandError, match="保存天数"):
        call_command("prune_files", "--days", "0")


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_an_expired_job_says_so_on_its_page_and_in_the_api(client, world, storage):
    from taizhang.api.tests.conftest import make_token

    job = _finished_job(world.admin_a1, storage, days_ago=8)
    job_files_prune(older_than=7 * DAY)
    client.force_login(world.admin_a1)
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "已超过保存期限并被删除" in page
    assert reverse("jobs:job_download", args=[job.pk]) not in page
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404
    headers = {"Authorization": f"Bearer {make_token(world.admin_a1, 'read')}"}
    body = client.get(f"/api/v1/jobs/{job.pk}", headers=headers).json()
    assert body["file_expired"] is True and body["file_url"] is None
    assert client.get(f"/api/v1/jobs/{job.pk}/file", headers=headers).status_code == 404
