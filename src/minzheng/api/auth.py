"""Who is calling: a bearer token (``Authorization: Bearer mzt_…``) or the web session.

Both paths enforce the same account policy as the web pages (IA-3, IA-4, IA-5, IA-8):

- ``token_login`` goes through ``django.contrib.auth.authenticate(request=…)``, so
  django-axes counts every failure and locks the account after the same number of failures
  as the log-in page; a wrong TOTP code counts too. The rest of the policy is
  ``accounts.services.login_check``; every attempt is audited by ``login_record``.
- A token expires after the idle time-out or its absolute lifetime, and is revoked at log-out
  (``accounts.services.api_token_user`` / ``api_token_revoke``).
- Session calls repeat the checks that ``SecurityPolicyMiddleware`` makes for pages (it leaves
  ``/api/`` alone): idle time-out, verified second factor for administrators, forced password
  change; unsafe methods need the CSRF token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from minzheng.accounts import services
from minzheng.accounts.models import ApiToken, User
from minzheng.accounts.views import LOCKED_MESSAGE
from minzheng.core import audit
from minzheng.core.crypto import sm3_hex
from minzheng.core.exceptions import DomainError
from minzheng.core.middleware import client_ip

from .errors import (
    AccountLocked,
    CsrfFailed,
    InvalidCredentials,
    LoginRefused,
    PasswordChangeRequired,
    Unauthenticated,
    error_response,
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mzt_…``. A token that is wrong, expired or revoked is refused
    with 401 at once (no fall-back to the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = services.api_token_user(token.strip())
        if user is None:
            raise Unauthenticated("令牌无效、已过期或已注销，请重新登录获取令牌")
        request.user = user
        request.api_token = token.strip()  # type: ignore[attr-defined]
        return user


def _idle_limit_seconds(user: User) -> int:
    minutes = settings.ADMIN_IDLE_MINUTES if user.is_admin_role else settings.SESSION_IDLE_MINUTES
    return int(minutes) * 60


class SessionAuth(APIKeyCookie):
    """The web session, for the pages' own scripts and the docs page."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if check_csrf(request) is not None:  # only unsafe methods are checked
            raise CsrfFailed()
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> User:
        user: User = request.user  # type: ignore[assignment]
        now = int(time.time())
        if now - request.session.get("last_seen", now) > _idle_limit_seconds(user):
            logout(request)
            raise Unauthenticated("长时间未操作，登录已超时，请重新登录")
        if user.is_admin_role and not user.is_verified():  # type: ignore[attr-defined]
            logout(request)
            raise Unauthenticated()
        if user.must_change_password or user.password_expired(settings.PASSWORD_MAX_AGE_DAYS):
            raise PasswordChangeRequired()
        request.session["last_seen"] = now
        return user


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API call (set by the auth classes above)."""
    user = getattr(request, "auth", None)
    if user is None:
        raise Unauthenticated()
    return user  # type: ignore[no-any-return]


# --- log-in and log-out -----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime | None
    idle_timeout_minutes: int


def _locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def _refuse_if_locked(request: HttpRequest, username: str) -> None:
    if getattr(request, "axes_locked_out", False):
        services.login_record(user=None, username=username, success=False, reason="locked")
        raise AccountLocked(_locked_message())


def token_login(
    request: HttpRequest, *, username: str, password: str, otp_token: str = "", name: str = "API"
) -> IssuedToken:
    """Check the credentials exactly as the log-in page does, then issue a token."""
    username = username.strip()
    user: Any = authenticate(request, username=username, password=password)
    _refuse_if_locked(request, username)
    refusal = None
    if user is not None:
        refusal = services.login_check(user=user, otp_token=otp_token, ip=client_ip(request))
        if refusal is not None and refusal.reason == "bad_totp":
            # a wrong second factor counts as a failed log-in for the lockout
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=request
            )
    if user is None or refusal is not None:
        reason = refusal.reason if refusal else "bad_credentials"
        services.login_record(user=None, username=username, success=False, reason=reason)
        if getattr(request, "axes_locked_out", False):
            raise AccountLocked(_locked_message())  # this failure was the one that locked it
        if refusal is None or refusal.reason == "bad_totp":
            raise InvalidCredentials(services.GENERIC_LOGIN_ERROR)
        raise LoginRefused(refusal.message)
    if user.must_change_password or user.password_expired(settings.PASSWORD_MAX_AGE_DAYS):
        services.login_record(
            user=None, username=username, success=False, reason="password_change_required"
        )
        raise PasswordChangeRequired()
    # what login() would signal: axes clears the failure count, Django sets last_login
    user_logged_in.send(sender=type(user), request=request, user=user)
    if "_auth_user_id" not in request.session:
        request.session.flush()  # axes created a session for its access log: leave none behind
    raw = services.api_token_create(user=user, name=name or "API")
    services.login_record(user=user, username=username, success=True)
    expires_at = (
        ApiToken.objects.filter(token_hash=sm3_hex(raw.encode()))
        .values_list("expires_at", flat=True)
        .first()
    )
    return IssuedToken(raw, expires_at, _idle_limit_seconds(user) // 60)


def token_logout(request: HttpRequest) -> None:
    """Revoke the caller's token server-side; a session caller's session is ended."""
    user = caller(request)
    raw = getattr(request, "api_token", None)
    if raw:
        services.api_token_revoke(user=user, raw=raw)
        return
    audit.record(actor=user, action="auth.logout", obj=user)
    logout(request)


def docs_login_required(view: Any) -> Any:
    """The OpenAPI schema and the docs page are for signed-in staff only."""
    token_auth, session_auth = TokenAuth(), SessionAuth()

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            if token_auth(request) is None and session_auth(request) is None:
                raise Unauthenticated()
        except DomainError as exc:
            return error_response(exc.status, exc.code, exc.message)
        return view(request, *args, **kwargs)

    return wrapped
