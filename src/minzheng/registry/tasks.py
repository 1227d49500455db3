"""Background tasks of the registry: the household import (preview and import) as a job.

The upload page starts the job (:mod:`.views_import`) with ``params`` naming the uploaded file
— token, path, original name, mode, dry_run — and never any of its content. The task runs
:func:`.importing.households_import` as the job's owner, so the owner's permission and region
apply exactly as they would in the request.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from minzheng.core import jobs
from minzheng.core.exceptions import DomainError
from minzheng.core.masking import mask_id

from . import importing

KIND = "registry.import"
#: errors listed in the job's result (the error workbook has them all)
FIRST_ERRORS = 20
#: report progress at most every this many units, or 1 % of the total if that is more
PROGRESS_STEP = 1000

_LONG_NUMBER = re.compile(r"\d{15,}[0-9Xx]?")


def _without_id_numbers(text: str) -> str:
    """A few reasons quote the cell (an ID Excel stored as a number): mask such numbers."""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group(0)), text)


def import_summary(result: importing.ImportResult) -> dict[str, Any]:
    """The job's result: counts and reasons, no cell values (no personal data)."""
    return {
        "outcome": result.outcome,
        **result.summary(),
        "has_error_workbook": result.error_workbook is not None,
        "first_errors": [_without_id_numbers(str(e)) for e in result.first_errors(FIRST_ERRORS)],
        "seconds": round(result.seconds, 1),
    }


def _message(result: importing.ImportResult) -> str:
    outcome = result.outcome
    if outcome == "preview":
        return (
            f"预览完成：共 {result.rows} 行 {result.households} 户，"
            f"可导入 {result.valid_rows} 行，有错误 {result.error_rows} 行"
        )
    if outcome == "imported":
        message = f"导入完成：已导入 {result.imported_households} 户 {result.imported_persons} 人"
        if result.error_rows:
            message += f"，{result.error_rows} 行有错误未导入"
        return message
    if outcome == "refused":
        return f"未导入：文件中有 {result.error_rows} 行错误，请修改后重新上传"
    return "没有可导入的家庭"


class _Reporter:
    """The service's ``progress`` callback, throttled to single-row updates now and then."""

    def __init__(self, job_id: int, dry_run: bool) -> None:
        self.job_id = job_id
        self.dry_run = dry_run
        self.reported = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(PROGRESS_STEP, total // 100)
        if done < total and self.reported >= 0 and done - self.reported < step:
            return
        self.reported = done
        rows = total if self.dry_run else total // 2
        if done <= rows:
            message = f"已检查 {done} / {rows} 行"
        else:
            message = f"检查完毕，正在写入（{done - rows} / {rows}）"
        jobs.progress(self.job_id, done, total, message)


@jobs.job_kind(KIND)
@task()
def households_import_task(job_id: int) -> dict[str, Any]:
    """Preview (``dry_run``) or import the uploaded file named in the job's params."""
    with jobs.running(job_id) as job:
        params = job.params
        owner = (
            get_user_model().objects.filter(pk=job.owner_id, is_active=True).first()
            if job.owner_id
            else None
        )
        if owner is None:
            raise DomainError("发起导入的用户不存在或已停用，导入未执行")
        path = Path(params["path"])
        if not path.is_file():
            raise DomainError("导入文件不存在或已过期，请重新上传")
        dry_run = bool(params.get("dry_run"))
        result = importing.households_import(
            path=path,
            actor=owner,
            mode=params.get("mode", importing.MODE_VALID_ROWS),
            dry_run=dry_run,
            progress=_Reporter(job_id, dry_run),
            error_workbook=path.with_name(f"{params['token']}.errors.xlsx"),
            original_name=params.get("name", ""),
        )
        if result.outcome == "imported":  # the upload is no longer needed; errors stay
            path.unlink(missing_ok=True)
        summary = import_summary(result)
        jobs.finish(job_id, message=_message(result), result=summary)
        return summary
