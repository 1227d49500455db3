"""The job progress API over JobProgress, and the database task queue with `minzheng worker`."""

import signal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from minzheng.core import jobs
from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent, JobProgress

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@jobs.job_kind("test.counts")
@task()
def counting_task(job_id: int) -> dict:
    with jobs.running(job_id):
        for done in range(1, 4):
            jobs.progress(job_id, done, 3, f"第 {done} 批")
        jobs.finish(job_id, message="数完了", result={"n": 3})
        return {"n": 3}


@jobs.job_kind("test.echoes-params")
@task()
def params_task(job_id: int) -> dict:
    with jobs.running(job_id) as job:
        jobs.finish(job_id, result={"seen": job.params})
        return job.params


@jobs.job_kind("test.refuses")
@task()
def refusing_task(job_id: int) -> None:
    with jobs.running(job_id):
        jobs.progress(job_id, 1, 10)
        raise DomainError("第 2 行身份证号码校验位不正确")


@jobs.job_kind("test.crashes")
@task()
def crashing_task(job_id: int) -> None:
    with jobs.running(job_id):
        raise KeyError("internal")


@jobs.job_kind("test.crashes-early")
@task()
def crashing_early_task(job_id: int) -> None:
    raise RuntimeError("before the job even started")


def test_job_start_creates_the_progress_row_and_runs_its_task(officer_a):
    job = jobs.job_start(kind="test.counts", title="数数", owner=officer_a, region_code="340521104")
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert (job.owner_id, job.region_code, job.kind) == (officer_a.pk, "340521104", "test.counts")
    assert job.message == "数完了"
    assert job.result == {"n": 3}
    assert job.task_result_id


def test_job_start_stores_the_params_before_the_task_runs(officer_a):
    params = {"token": "abc", "mode": "valid_rows", "dry_run": True}
    job = jobs.job_start(kind="test.echoes-params", title="参数", owner=officer_a, params=params)
    assert job.params == params
    assert job.result == {"seen": params}  # the task (run inside enqueue) read them
    assert jobs.job_start(kind="test.counts", title="数数", owner=officer_a).params == {}


def test_job_start_is_audited(officer_a):
    job = jobs.job_start(kind="test.counts", title="数数", owner=officer_a)
    event = AuditEvent.objects.get(action="job.start")
    assert (event.actor_id, event.object_id) == (officer_a.pk, str(job.public_id))
    assert event.detail["kind"] == "test.counts"


def test_an_unknown_kind_is_refused_before_anything_is_written(officer_a):
    with pytest.raises(ValueError, match="no task"):
        jobs.job_start(kind="test.nothing", title="无", owner=officer_a)
    assert not JobProgress.objects.exists()


def test_progress_moves_a_queued_job_to_running():
    job = JobProgress.objects.create(kind="x", title="x")
    jobs.progress(job.pk, 5, 20, "已处理 5 条")
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.message) == (
        "running",
        5,
        20,
        25,
        "已处理 5 条",
    )


def test_finish_completes_the_count():
    job = JobProgress.objects.create(kind="x", title="x")
    jobs.progress(job.pk, 7, 9)
    jobs.finish(job.pk, message="完成")
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 9, 9, 100)


def test_a_domain_error_fails_the_job_with_its_own_chinese_message(officer_a):
    job = jobs.job_start(kind="test.refuses", title="导入", owner=officer_a)
    assert job.status == "failed"
    assert job.message == "第 2 行身份证号码校验位不正确"
    assert job.done == 1  # the progress made before the failure is kept


def test_an_unexpected_error_fails_the_job_with_a_chinese_message(officer_a):
    job = jobs.job_start(kind="test.crashes", title="导入", owner=officer_a)
    assert job.status == "failed"
    assert job.message == "任务意外中止（KeyError），请联系系统管理员查看服务器日志"


def test_a_task_that_fails_outside_running_still_fails_its_job(officer_a):
    job = jobs.job_start(kind="test.crashes-early", title="导入", owner=officer_a)
    assert job.status == "failed"
    assert "RuntimeError" in job.message


@pytest.fixture
def restore_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; put pytest's back afterwards."""
    names = [s for s in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, s)]
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    yield
    for name, handler in saved.items():
        signal.signal(getattr(signal, name), handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_runs_a_job_queued_in_the_database(restore_signal_handlers):
    job = jobs.job_start(kind="audit.verify", title="审计日志哈希链校验", owner=None)
    assert job.status == "queued"  # nothing runs until a worker picks it up
    queued = DBTaskResult.objects.get(id=job.task_result_id)
    assert queued.status == "READY"

    call_command("worker", "--batch", "--interval", "0")

    job.refresh_from_db()
    assert job.status == "done"
    assert job.result["ok"] is True
    assert job.result["checked"] >= 1  # at least the job.start event
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_failing_in_the_worker_is_recorded(restore_signal_handlers):
    job = jobs.job_start(kind="test.crashes", title="导入", owner=None)
    call_command("worker", "--batch", "--interval", "0")
    job.refresh_from_db()
    assert job.status == "failed"
    assert "KeyError" in job.message
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"
