"""The job runner: progress, readable failures, results; same code on any backend."""

import pytest

from taizhang.core.exceptions import DomainError
from taizhang.jobs.models import Job, JobKind, JobStatus
from taizhang.jobs.services import JobOutcome, ProgressReporter, job_create, job_run


@pytest.fixture
def job(world):
    return job_create(owner=world.admin_a1, kind=JobKind.LEDGER_EXPORT, title="测试任务")


def test_a_job_keeps_the_language_it_was_started_in(job):
    assert job.params["language"] == "zh-hans"
    assert job.status == JobStatus.QUEUED and job.progress == 0


def test_progress_is_written_but_not_for_every_row(job, django_assert_max_num_queries):
    report = ProgressReporter(job.pk, min_interval=60)
    with django_assert_max_num_queries(2):
        report(10, "第一步")
        for percent in range(11, 60):
            report(percent)  # throttled: same message, within the interval
        report(60, "第二步")  # a new message is always written
    job.refresh_from_db()
    assert (job.progress, job.message) == (60, "第二步")
    report(100, force=True)
    job.refresh_from_db()
    assert job.progress == 99  # 100 % only once the result is kept


def test_a_finished_job_offers_its_file(job, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"data")

    def work(job, progress):
        progress(50, "写文件")
        return JobOutcome(path=str(path), file_name="台账.xlsx", url="/somewhere/", message="好了")

    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result_name == "台账.xlsx" and job.result_url == "/somewhere/"
    assert job.result_file.read() == b"data"
    assert not path.exists()  # the temporary file was moved into the private storage
    assert job.finished_at and job.started_at


def test_a_refusal_is_shown_as_is(job):
    def work(job, progress):
        raise DomainError("没有符合筛选条件的项目。", "empty")

    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "没有符合筛选条件的项目。"


def test_a_bug_fails_the_job_readably_and_reaches_the_worker(job):
    def work(job, progress):
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == f"任务出错（编号 {job.pk}），请联系系统管理员。"


def test_a_duplicate_delivery_does_not_run_twice(job):
    calls = []

    def work(job, progress):
        calls.append(1)
        return JobOutcome()

    job_run(job.pk, work)
    job_run(job.pk, work)
    job_run(999999, work)
    assert calls == [1]
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
