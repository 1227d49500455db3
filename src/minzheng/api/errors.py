"""One error shape for every API error: ``{"error": {"code", "message", "field"?}}``.

``message`` is plain Chinese for the user; ``code`` is stable English for programs. A record
outside the caller's region answers exactly like a missing one (404, same body).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = NotFoundOrNotYours().message
UNAUTHENTICATED_MESSAGE = "未登录或登录已失效，请重新登录"
SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后再试或联系系统管理员"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401

    def __init__(self, message: str = UNAUTHENTICATED_MESSAGE):
        super().__init__(message)


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401


class LoginRefused(DomainError):
    """The password matched but an account rule refuses the log-in (expired, dormant …)."""

    code = "login_refused"
    status = 403


class PasswordChangeRequired(DomainError):
    code = "password_change_required"
    status = 403

    def __init__(
        self, message: str = "须先在网页端修改密码（初始密码或密码已过期），然后才能使用接口"
    ):
        super().__init__(message)


class AccountLocked(DomainError):
    code = "locked"
    status = 429


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 403

    def __init__(self, message: str = "CSRF 校验失败：请刷新页面后重试，或改用令牌访问接口"):
        super().__init__(message)


def error_response(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return JsonResponse({"error": error}, status=status, json_dumps_params={"ensure_ascii": False})


# --- validation errors (422): name the field, say what is wrong in Chinese ------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
_MESSAGES = {
    "missing": "必须填写",
    "string_type": "应为文本",
    "string_too_short": "太短（至少 {min_length} 个字符）",
    "string_too_long": "太长（最多 {max_length} 个字符）",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "enum": "取值不在允许范围内（可选：{expected}）",
    "literal_error": "取值不在允许范围内（可选：{expected}）",
    "uuid_type": "不是有效的编号",
    "uuid_parsing": "不是有效的编号",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "格式不正确，应为 JSON 对象",
    "dict_type": "格式不正确，应为 JSON 对象",
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        # a body schema is nested under the view's parameter name: drop it
        if source == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts)


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    field = _field_name(error.get("loc", ()))
    template = _MESSAGES.get(error.get("type", ""), "不正确")
    try:
        text = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        text = template.split("（")[0]
    return field, text


def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    described = [_describe(e) for e in exc.errors]
    if not described:
        return error_response(422, "validation_error", "请求参数不正确")
    parts = [f"{field or '请求体'}：{text}" for field, text in described]
    return error_response(
        422,
        "validation_error",
        "请求参数不正确：" + "；".join(parts),
        field=described[0][0] or None,
    )


# --- the other handlers -----------------------------------------------------------------------


def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field)


_HTTP_CODES = {
    400: ("bad_request", "请求体无法解析，请发送有效的 JSON"),
    401: ("unauthenticated", UNAUTHENTICATED_MESSAGE),
    403: ("permission_denied", PermissionDeniedError().message),
    404: ("not_found", NOT_FOUND_MESSAGE),
    405: ("method_not_allowed", "不支持此请求方法"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(401, *_HTTP_CODES[401])
    code, message = _HTTP_CODES.get(exc.status_code, ("error", "请求未能完成"))
    if exc.status_code == 403 and "CSRF" in str(exc):
        failed = CsrfFailed()
        code, message = failed.code, failed.message
    return error_response(exc.status_code, code, message)


def not_found(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    return error_response(404, *_HTTP_CODES[404])


def permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, *_HTTP_CODES[403])


def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "server_error", SERVER_ERROR_MESSAGE)


def install(api: Any) -> None:
    """Register the handlers on a NinjaAPI (most specific class wins)."""
    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Exception, server_error)
