"""Background work of payments: payroll generation, with progress the preparer can follow."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from minzheng.core import audit, jobs
from minzheng.core.models import JobProgress

from .models import PaymentRun


@jobs.job_kind("payments.generate")
@task()
def payroll_generate_task(job_id: int) -> dict[str, Any]:
    from . import services

    with jobs.running(job_id):
        run = PaymentRun.objects.get(job_id=job_id)

        def report(done: int, total: int, message: str) -> None:
            jobs.progress(job_id, done, total, message)

        result = services.payroll_run_generate(run_id=run.pk, progress=report)
        jobs.finish(
            job_id,
            message=f"已生成 {result['lines']} 笔发放记录，请复核",
            result=result,
        )
        return result


def start_generation(run: PaymentRun, *, owner: Any) -> JobProgress:
    """``jobs.job_start`` for a run: the run must point at its job before the task can run
    (the immediate backend of the tests runs it inside ``enqueue``), so the job row is made
    and linked first, then the task is enqueued in the same transaction."""
    kind = "payments.generate"
    with transaction.atomic():
        job = JobProgress.objects.create(
            kind=kind,
            title=f"生成发放批次：{run}"[:200],
            owner_id=owner.pk if getattr(owner, "is_authenticated", False) else None,
            region_code=run.region_id,
        )
        PaymentRun.objects.filter(pk=run.pk).update(job=job)
        audit.record(
            actor=owner,
            action="job.start",
            obj=job,
            object_repr=job.title,
            region_code=run.region_id,
            detail={"kind": kind},
        )
        result = payroll_generate_task.enqueue(job.pk)
        JobProgress.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])
    job.refresh_from_db()
    return job
