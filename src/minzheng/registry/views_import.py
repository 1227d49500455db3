"""The upload page for the household import: template download, preview, import, errors.

Thin: the work is :func:`minzheng.registry.importing.households_import`. The uploaded file is
kept under ``VAR_DIR/imports/`` between the preview and the import, named by a random token
that only the uploading user's session knows. The preview (a dry run) and the import run as
``registry.import`` background jobs (:mod:`.tasks`): the request only saves the file and starts
the job, and the page polls the job's progress until its preview or result is ready.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from minzheng.accounts.roles import Perm
from minzheng.core import jobs
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours
from minzheng.core.models import JobProgress
from minzheng.core.selectors import job_get_for_user
from minzheng.web.decorators import perm_required

from . import importing, tasks

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
ALLOWED_SUFFIXES = {".xlsx", ".csv"}
SESSION_KEY = "registry_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remember(request: HttpRequest, token: str, info: dict[str, Any]) -> None:
    known = dict(request.session.get(SESSION_KEY, {}))
    known[token] = info
    request.session[SESSION_KEY] = dict(list(known.items())[-5:])


def _recall(request: HttpRequest, token: str) -> dict[str, Any]:
    info = request.session.get(SESSION_KEY, {}).get(token)
    if not info:
        raise Http404("导入文件不存在或已过期")
    return dict(info)


@perm_required(Perm.REGISTRY_IMPORT)
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.import_template(request.user), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


def _start(
    request: HttpRequest, token: str, info: dict[str, Any], mode: str, *, dry_run: bool
) -> Any:
    """Start the preview or import job of an uploaded file; params name the file only."""
    verb = "导入预览" if dry_run else "导入"
    return jobs.job_start(
        kind=tasks.KIND,
        title=f"批量{verb}：{info['name']}",
        owner=request.user,
        params={
            "token": token,
            "path": info["path"],
            "name": info["name"],
            "mode": mode,
            "dry_run": dry_run,
        },
    )


@perm_required(Perm.REGISTRY_IMPORT)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Save the upload and start its preview job, or start the import of a previewed file.

    Both run in the background (``registry.import`` jobs); the page then polls
    :func:`job_status` for the progress and, once done, the preview or the result.
    """
    context: dict[str, Any] = {"modes": importing.MODES, "mode": importing.MODE_VALID_ROWS}
    if request.method == "GET":
        return render(request, "registry/import.html", context)
    mode = request.POST.get("mode", importing.MODE_VALID_ROWS)
    if mode not in importing.MODES:
        mode = importing.MODE_VALID_ROWS
    context["mode"] = mode
    try:
        if request.POST.get("token"):  # the import of a previewed file
            token = request.POST["token"]
            info = _recall(request, token)
            started = JobProgress.objects.filter(
                owner_id=request.user.pk,
                kind=tasks.KIND,
                params__token=token,
                params__dry_run=False,
            ).exclude(status=JobProgress.Status.FAILED)
            if started.exists():
                raise DomainError(gettext("该文件已经提交导入，请在“后台任务”中查看进度和结果"))
            job = _start(request, token, info, mode, dry_run=False)
        else:
            upload_file = request.FILES.get("file")
            if upload_file is None:
                raise DomainError(gettext("请选择要导入的文件"))
            suffix = Path(upload_file.name or "").suffix.lower()
            if suffix not in ALLOWED_SUFFIXES:
                raise DomainError(gettext("只能导入 xlsx 或 csv 文件"))
            if upload_file.size and upload_file.size > MAX_UPLOAD_BYTES:
                raise DomainError(gettext("文件超过 30 MB，请分批导入"))
            token = secrets.token_urlsafe(16)
            path = _upload_dir() / f"{token}{suffix}"
            with path.open("wb") as out:
                for chunk in upload_file.chunks():
                    out.write(chunk)
            info = {"path": str(path), "name": upload_file.name}
            _remember(request, token, info)
            job = _start(request, token, info, mode, dry_run=True)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "registry/import.html", context, status=400)
    context.update(_job_context(job))
    return render(request, "registry/import.html", context)


def _job_context(job: JobProgress) -> dict[str, Any]:
    params = job.params or {}
    finished = job.status in jobs.FINISHED
    return {
        "job": job,
        "finished": finished,
        "result": job.result if job.status == JobProgress.Status.DONE else None,
        "preview": bool(params.get("dry_run")),
        "token": params.get("token", ""),
        "name": params.get("name", ""),
        "mode": params.get("mode", importing.MODE_VALID_ROWS),
    }


@perm_required(Perm.REGISTRY_IMPORT)
@require_http_methods(["GET"])
def job_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The progress of an import job and, once it is done, its preview or result (polled)."""
    try:
        job = job_get_for_user(request.user, public_id)
    except NotFoundOrNotYours as exc:
        raise Http404(exc.message) from exc
    if job.kind != tasks.KIND:
        raise Http404("记录不存在或无权访问")
    return render(request, "registry/_import_job.html", _job_context(job))


@perm_required(Perm.REGISTRY_IMPORT)
def errors_download(request: HttpRequest, token: str) -> HttpResponse:
    _recall(request, token)
    path = _upload_dir() / f"{token}.errors.xlsx"
    if not path.is_file():
        raise Http404("没有错误行")
    response = HttpResponse(path.read_bytes(), content_type=XLSX)  # at most a few MB
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E6%9C%AA%E5%AF%BC%E5%85%A5%E7%9A%84%E8%A1%8C.xlsx"
    )
    return response
