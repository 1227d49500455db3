"""Background jobs the user can follow: a ``JobProgress`` row per run of a task.

Starting a job (from a service or an API view)::

    job = jobs.job_start(kind="audit.verify", title="审计日志完整性校验", owner=user)

Writing one (in an app's ``tasks.py``): register the task under its kind, and report from
inside ``jobs.running``, which marks the job as running, records any exception as a failure
with a Chinese message, and re-raises it so the task backend records it too::

    @jobs.job_kind("audit.verify")
    @task()
    def audit_verify_task(job_id: int) -> dict:
        with jobs.running(job_id):
            ...
            jobs.progress(job_id, done, total, "已核对 100 条")
            ...
            jobs.finish(job_id, message="完成", result={...})

Progress is written with single-row updates in autocommit, so the user sees it while the task
runs; a task must therefore not wrap its whole body in one transaction. A failure that escapes
``running`` (a task that cannot even start) is still recorded by the ``task_finished`` signal
handler below, so a failed job is never left looking queued or running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import TaskResultStatus
from django_tasks.base import Task, TaskResult
from django_tasks.signals import task_finished

from . import audit
from .context import RequestInfo, current_request
from .exceptions import DomainError
from .models import JobProgress

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Task)  # type: ignore[type-arg]

_KINDS: dict[str, Task] = {}  # type: ignore[type-arg]
_discovered = False
KIND_ATTRIBUTE = "minzheng_job_kind"

FINISHED = (JobProgress.Status.DONE, JobProgress.Status.FAILED)


def job_kind(kind: str) -> Callable[[T], T]:
    """Register a task as the runner of one kind of job; it takes the job id as argument."""

    def register(task: T) -> T:
        if kind in _KINDS and _KINDS[kind].module_path != task.module_path:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _KINDS[kind] = task
        setattr(task.func, KIND_ATTRIBUTE, kind)
        return task

    return register


def _task_for(kind: str) -> Task:  # type: ignore[type-arg]
    global _discovered
    if kind not in _KINDS and not _discovered:
        autodiscover_modules("tasks")  # every app's tasks.py registers its kinds on import
        _discovered = True
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"no task is registered for job kind {kind!r}") from None


def job_start(
    *,
    kind: str,
    title: str,
    owner: Any,
    region_code: str = "",
    params: Mapping[str, Any] | None = None,
) -> JobProgress:
    """Create the job's progress row and enqueue its task with the job id.

    ``params`` (JSON) is stored on the row before the task is enqueued, for the task to read:
    what to work on (an upload token, a file path, a mode), never personal data, which the
    jobs page and API show and the database keeps unencrypted.

    The task queue lives in the same database (``django_tasks_db``), so the job row and the
    queued task are committed together: there is no job without a task, nor a task without
    its job. With the immediate backend (tests) the task has finished when this returns.
    """
    task = _task_for(kind)
    owner_id = owner.pk if owner is not None and getattr(owner, "is_authenticated", False) else None
    with transaction.atomic():
        job = JobProgress.objects.create(
            kind=kind,
            title=title[:200],
            owner_id=owner_id,
            region_code=region_code,
            params=dict(params or {}),
        )
        audit.record(
            actor=owner,
            action="job.start",
            obj=job,
            object_repr=title,
            region_code=region_code,
            detail={"kind": kind},
        )
        result = task.enqueue(job.pk)
        JobProgress.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _update(job_id: int, **fields: Any) -> int:
    return JobProgress.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def progress(job_id: int, done: int, total: int, message: str = "") -> None:
    """Report how far the job has got (``done`` of ``total`` units)."""
    _update(
        job_id,
        status=JobProgress.Status.RUNNING,
        done=max(done, 0),
        total=max(total, done, 0),
        message=message,
    )


def finish(job_id: int, *, message: str = "", result: Mapping[str, Any] | None = None) -> None:
    """The job completed; ``result`` is shown to its owner (JSON, no personal data)."""
    job = JobProgress.objects.filter(pk=job_id).values("done", "total").first()
    if job is None:
        return
    total = max(job["total"], job["done"])
    _update(
        job_id,
        status=JobProgress.Status.DONE,
        done=total,
        total=total,
        message=message,
        result=dict(result or {}),
    )


def fail(job_id: int, message: str) -> None:
    """The job could not complete; ``message`` says why, in Chinese, for its owner."""
    _update(job_id, status=JobProgress.Status.FAILED, message=message[:2000])


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return f"任务意外中止（{type(exc).__name__}），请联系系统管理员查看服务器日志"


@contextmanager
def running(job_id: int) -> Iterator[JobProgress]:
    """Run the body of a job task: status ``running``, audit channel ``task``, and any
    exception recorded as the job's failure before it propagates to the task backend."""
    job = JobProgress.objects.get(pk=job_id)
    _update(job_id, status=JobProgress.Status.RUNNING)
    token = current_request.set(RequestInfo(channel="task", path=f"job:{job.kind}"))
    try:
        yield job
    except BaseException as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        fail(job_id, failure_message(exc))
        raise
    finally:
        current_request.reset(token)


@receiver(task_finished, dispatch_uid="minzheng.core.jobs.record_failed_task")
def record_failed_task(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:  # type: ignore[type-arg]
    """Safety net: a job task that failed outside ``running`` still marks its job failed."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    if getattr(task_result.task.func, KIND_ATTRIBUTE, None) is None or not task_result.args:
        return
    job_id = task_result.args[0]
    errors = getattr(task_result, "errors", None) or []
    name = errors[-1].exception_class_path.rsplit(".", 1)[-1] if errors else "未知错误"
    JobProgress.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(
        status=JobProgress.Status.FAILED,
        updated_at=timezone.now(),
        message=f"任务未能执行（{name}），请联系系统管理员查看服务器日志",
    )
