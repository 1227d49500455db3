from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from minzheng.core.exceptions import DomainError
from minzheng.core.middleware import client_ip

from . import services
from .forms import LoginForm, PasswordChangeForm
from .models import User

LOCKED_MESSAGE = gettext_noop(
    "连续登录失败次数过多，该账号已被临时锁定{minutes}分钟。请稍后再试，或联系安全管理员解锁。"
)


def _locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return gettext(LOCKED_MESSAGE).format(minutes=minutes)


def _login_page(
    request: HttpRequest, form: LoginForm, error: str, status: int = 200
) -> HttpResponse:
    context = {"form": form, "error": error, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/login.html", context, status=status)


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """What axes answers once an account is locked, on every log-in path."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": {"code": "locked", "message": _locked_message()}}, status=429)
    form = LoginForm(request.POST or None)
    return _login_page(request, form, _locked_message(), status=429)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            services.login_record(user=None, username=username, success=False, reason="locked")
            return lockout_response(request)
        refusal = None
        if user is not None:
            refusal = services.login_check(
                user=user, otp_token=form.cleaned_data["otp_token"], ip=client_ip(request)
            )
            if refusal is not None and refusal.reason == "bad_totp":
                # a wrong second factor counts as a failed log-in for the lockout
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=request
                )
        if user is None or refusal is not None:
            reason = refusal.reason if refusal else "bad_credentials"
            services.login_record(user=None, username=username, success=False, reason=reason)
            error = refusal.message if refusal else gettext(services.GENERIC_LOGIN_ERROR)
        else:
            login(request, user)
            if user.is_admin_role:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                if device is not None:
                    otp_login(request, device)
            request.session.set_expiry(
                (
                    settings.ADMIN_IDLE_MINUTES
                    if user.is_admin_role
                    else settings.SESSION_IDLE_MINUTES
                )
                * 60
            )
            services.sessions_limit(user=user, current_key=request.session.session_key or "")
            services.login_record(user=user, username=username, success=True)
            nxt = request.GET.get("next", "")
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)
            return redirect(settings.LOGIN_REDIRECT_URL)
    return _login_page(request, form, error)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        from minzheng.core import audit

        audit.record(actor=request.user, action="auth.logout", obj=request.user)
    logout(request)  # deletes the server-side session
    messages.info(request, gettext("您已安全退出"))
    return redirect("accounts:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else "new_password", exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, gettext("密码已修改"))
            return redirect(settings.LOGIN_REDIRECT_URL)
    reason = ""
    if user.must_change_password:
        reason = gettext("首次登录或密码被重置后，须先修改密码")
    elif user.password_expired(settings.PASSWORD_MAX_AGE_DAYS):
        reason = gettext("密码已超过%(days)s天未修改，须先修改密码") % {
            "days": settings.PASSWORD_MAX_AGE_DAYS
        }
    return render(request, "accounts/password_change.html", {"form": form, "reason": reason})
