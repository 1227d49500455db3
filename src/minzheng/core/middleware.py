from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import RequestInfo, current_request


def client_ip(request: HttpRequest) -> str:
    # Behind the bureau's reverse proxy the real address is the first X-Forwarded-For hop;
    # only trusted when the deployment says so.
    from django.conf import settings

    if getattr(settings, "MINZHENG_TRUST_X_FORWARDED_FOR", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = current_request.set(
            RequestInfo(ip=client_ip(request), path=request.path, channel=channel)
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
