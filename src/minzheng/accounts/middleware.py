"""Session policy enforced on the server for every request (IA-3, IA-5, IA-8)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext

EXEMPT_PREFIXES = (
    "/static/",
    "/accounts/login",
    "/accounts/logout",
    "/accounts/password",
    "/i18n/",
    "/healthz",
    "/api/",
)


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/api/"):
            now = int(time.time())
            limit = (
                settings.ADMIN_IDLE_MINUTES if user.is_admin_role else settings.SESSION_IDLE_MINUTES
            ) * 60
            last = request.session.get("last_seen", now)
            if now - last > limit:
                logout(request)
                messages.info(request, gettext("长时间未操作，已自动退出，请重新登录"))
                return self._to_login(request)
            if user.is_admin_role and not user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
                logout(request)
                return self._to_login(request)
            request.session["last_seen"] = now
            if not request.path.startswith(EXEMPT_PREFIXES) and (
                user.must_change_password or user.password_expired(settings.PASSWORD_MAX_AGE_DAYS)
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _to_login(request: HttpRequest) -> HttpResponse:
        if request.htmx:  # type: ignore[attr-defined]
            resp = HttpResponse(status=204)
            resp["HX-Redirect"] = settings.LOGIN_URL_PATH
            return resp
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(
                {"error": {"code": "unauthenticated", "message": gettext("登录已超时")}}, status=401
            )
        return redirect("accounts:login")
