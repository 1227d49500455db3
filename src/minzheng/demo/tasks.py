"""The demo county's assistance history as a background job (see :mod:`.history`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from minzheng.core import jobs
from minzheng.core.models import JobProgress

from . import history

KIND = "demo.history"


def history_message(result: history.HistoryResult) -> str:
    apps = sum(result.applications.values())
    approved = sum(result.approved.values())
    refused = sum(result.refused.values())
    return (
        f"已模拟 {apps} 件救助申请（确认 {approved} 件、不予确认 {refused} 件、"
        f"办理中 {result.open_cases} 件），流浪乞讨救助 {result.rescue_cases} 人次，"
        f"{result.runs} 个月发放 {result.lines} 笔、"
        f"合计 {result.paid_fen / 100:,.2f} 元"
    )


@jobs.job_kind(KIND)
@task()
def demo_history_task(job_id: int) -> dict[str, Any]:
    """Simulate the demo county's applications and payrolls since go-live."""
    with jobs.running(job_id):
        params = JobProgress.objects.get(pk=job_id).params or {}

        def report(done: int, total: int, message: str) -> None:
            jobs.progress(job_id, done, total, message)

        result = history.simulate_history(
            county_code=params.get("county", "340521"),
            seed=int(params.get("seed", 340521)),
            progress=report,
        )
        summary = result.as_dict()
        jobs.finish(job_id, message=history_message(result), result=summary)
        return summary
