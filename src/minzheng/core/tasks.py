"""Background tasks of the core app."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from . import audit, jobs

logger = logging.getLogger(__name__)

AUDIT_VERIFY_BATCH = 2000


@jobs.job_kind("audit.verify")
@task()
def audit_verify_task(job_id: int) -> dict[str, Any]:
    """Recompute the audit trail's SM3 hash chain, reporting progress batch by batch.

    A broken chain is a finding, not a failure of the job: the job completes with the finding
    in its message and result, the check is audited as failed, and an error is logged so the
    operations alarm picks it up (AU-3, AU-4).
    """
    with jobs.running(job_id) as job:

        def report(done: int, total: int) -> None:
            jobs.progress(job_id, done, total, f"已核对 {done} / {total} 条审计记录")

        outcome = audit.verify(batch=AUDIT_VERIFY_BATCH, progress=report)
        result = {
            "ok": outcome.ok,
            "checked": outcome.checked,
            "first_bad_seq": outcome.first_bad_seq,
            "reason": outcome.reason,
        }
        owner = get_user_model().objects.filter(pk=job.owner_id).first() if job.owner_id else None
        audit.record(
            actor=owner,
            action="audit.verify",
            obj=job,
            object_repr=job.title,
            success=outcome.ok,
            detail=result,
        )
        if outcome.ok:
            message = f"审计日志完整：已核对 {outcome.checked} 条，哈希链无断裂"
        else:
            logger.error("audit chain verification failed: %s", outcome.reason)
            message = (
                f"发现审计日志被篡改：{outcome.reason}"
                f"（已核对 {outcome.checked} 条，问题从第 {outcome.first_bad_seq} 条起）"
            )
        jobs.finish(job_id, message=message, result=result)
        return result
