"""URLs under ``/api/v1/``: the API's own, each answering errors in the API's shape, and a
catch-all so that an unknown address is a JSON 404 too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, include, path, re_path

from .errors import error_response, not_found
from .main import api


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response.get("Allow", "")
            response = error_response(
                405, "method_not_allowed", f"不支持此请求方法（可用：{allowed}）"
            )
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)  # type: ignore[attr-defined]
    return wrapped


_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    assert isinstance(_pattern, URLPattern)
    _pattern.callback = _json_errors(_pattern.callback)

urlpatterns = [
    path("", include((_patterns, _app_name), namespace=_namespace)),
    re_path(r"", not_found),
]
