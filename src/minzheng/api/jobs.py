"""API: the caller's background jobs and their progress, and starting the audit check.

These endpoints live here rather than in ``core/api.py`` because ``core`` is the innermost
layer and knows nothing of roles and permissions.
"""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import require_perm
from minzheng.core import jobs, selectors
from minzheng.core.models import JobProgress

from .auth import caller
from .schemas import errors

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    kind: str
    title: str
    status: JobProgress.Status
    status_label: str = Field(alias="get_status_display")
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@router.get("/jobs", response={200: list[JobOut], **errors(401, 422)}, summary="本人发起的后台任务")
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def job_list(request: HttpRequest, status: JobProgress.Status | None = None) -> object:
    """Each user sees only the jobs they started (started under their own permissions)."""
    return selectors.job_list_for_user(caller(request), status=status)


@router.get(
    "/jobs/{uuid:public_id}",
    response={200: JobOut, **errors(401, 404)},
    summary="一个后台任务的进度",
)
def job_detail(request: HttpRequest, public_id: uuid.UUID) -> JobProgress:
    return selectors.job_get_for_user(caller(request), public_id)


@router.post(
    "/jobs/audit-verify",
    response={202: JobOut, **errors(401, 403)},
    summary="校验审计日志哈希链（审计管理员）",
)
def audit_verify_start(request: HttpRequest) -> Status[JobProgress]:
    user = caller(request)
    require_perm(user, Perm.AUDIT_VIEW)
    return Status(202, jobs.job_start(kind="audit.verify", title="审计日志哈希链校验", owner=user))
