"""The upload page for the household import: template download, preview, import, errors.

Thin: the work is :func:`minzheng.registry.importing.households_import`. The uploaded file is
kept under ``VAR_DIR/imports/`` between the preview and the import, named by a random token
that only the uploading user's session knows. The import runs in the request for now; the
integrator moves it to a background task (the service already reports progress).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from minzheng.accounts.roles import Perm
from minzheng.core.exceptions import DomainError
from minzheng.web.decorators import perm_required

from . import importing

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


@perm_required(Perm.REGISTRY_IMPORT)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"modes": importing.MODES, "mode": importing.MODE_VALID_ROWS}
    if request.method == "GET":
        return render(request, "registry/import.html", context)
    mode = request.POST.get("mode", importing.MODE_VALID_ROWS)
    context["mode"] = mode
    try:
        if request.POST.get("token"):  # the import of a previewed file
            token = request.POST["token"]
            info = _recall(request, token)
            result = importing.households_import(
                path=info["path"],
                actor=request.user,
                mode=mode,
                error_workbook=_upload_dir() / f"{token}.errors.xlsx",
                original_name=info["name"],
            )
            if result.outcome == "imported":  # the upload is no longer needed; errors stay
                Path(info["path"]).unlink(missing_ok=True)
            context.update(result=result, token=token, name=info["name"], done=True)
            return render(request, "registry/import.html", context)
        upload_file = request.FILES.get("file")
        if upload_file is None:
            raise DomainError("请选择要导入的文件")
        suffix = Path(upload_file.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise DomainError("只能导入 xlsx 或 csv 文件")
        if upload_file.size and upload_file.size > MAX_UPLOAD_BYTES:
            raise DomainError("文件超过 30 MB，请分批导入")
        token = secrets.token_urlsafe(16)
        path = _upload_dir() / f"{token}{suffix}"
        with path.open("wb") as out:
            for chunk in upload_file.chunks():
                out.write(chunk)
        _remember(request, token, {"path": str(path), "name": upload_file.name})
        result = importing.households_import(path=path, actor=request.user, mode=mode, dry_run=True)
        context.update(result=result, token=token, name=upload_file.name, preview=True)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "registry/import.html", context, status=400)
    return render(request, "registry/import.html", context)


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
