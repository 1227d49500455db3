"""The 三员 screens. Each view: parse input, check the permission, call one service or
selector, render. Every state change is a POST (CSRF-protected) and every refusal is shown
as the service's Chinese message.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts import services as account_services
from minzheng.accounts.roles import ADMIN_ROLE_OWN_PERMS, ADMIN_ROLES, Perm, Role
from minzheng.core import audit
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.web.decorators import perm_required
from minzheng.web.errors import form_domain_error
from minzheng.web.http import AuthedRequest

from . import selectors, services
from .forms import (
    MATRIX_PERMS,
    MATRIX_ROLES,
    AuditFilterForm,
    DeactivateForm,
    RoleAssignForm,
    UserCreateForm,
    UserFilterForm,
    matrix_from_post,
)

PAGE_SIZE = 20


def _refused(
    request: AuthedRequest, exc: DomainError, back: str = "web:home", **kw: Any
) -> HttpResponse:
    """A refusal that is not a form error: 404 for missing-or-not-yours, 403 for a missing
    permission, otherwise back to the page ``back`` with the message."""
    if isinstance(exc, NotFoundOrNotYours):
        return render(request, "404.html", {"reason": exc.message}, status=404)
    if isinstance(exc, PermissionDeniedError):
        return render(request, "403.html", {"reason": exc.message}, status=403)
    messages.error(request, exc.message, extra_tags="danger")
    return redirect(back, **kw)


def _audit_refusal(
    request: AuthedRequest, action: str, exc: DomainError, obj: Any = None, object_repr: str = ""
) -> None:
    """A refused administrator action is itself an audit event (AU-1: failures too). It is
    written after the service's transaction rolled back, so it is kept."""
    audit.record_failure(
        actor=request.user,
        action=action,
        obj=obj,
        object_type="" if obj is not None else "accounts.user",
        object_repr=object_repr,
        region_code=(getattr(obj, "region_id", None) or "") if obj is not None else "",
        detail={"reason": exc.message},
    )


def _form_error(form: Any, exc: DomainError) -> None:
    form_domain_error(form, exc)


def _user_or_404(request: AuthedRequest, public_id: UUID) -> Any:
    return selectors.user_for_admin(request.user, public_id)


# --- 系统管理员: accounts -----------------------------------------------------------------------


@require_GET
@perm_required(Perm.USERS_MANAGE)
def user_list(request: AuthedRequest) -> HttpResponse:
    form = UserFilterForm(request.GET, regions=selectors.region_choices_for_admin(request.user))
    params = form.params()
    qs = selectors.user_list_for_admin(request.user, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "administration/sysadmin/users.html",
        {"form": form, "page": page, "sort": params["sort"]},
    )


@never_cache
@perm_required(Perm.USERS_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    regions = selectors.region_choices_for_admin(request.user)
    form = UserCreateForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, password = account_services.user_create(
                actor=request.user,
                username=d["username"],
                full_name=d["full_name"],
                region=d["region"],
                phone=d["phone"] or None,
                account_expires_on=d["account_expires_on"],
            )
        except DomainError as exc:
            _audit_refusal(request, "user.create", exc, object_repr=d["username"])
            _form_error(form, exc)
        else:
            # shown once, on this response only: never stored in the session or a message
            return render(
                request,
                "administration/sysadmin/one_time_password.html",
                {"target": user, "password": password, "created": True},
            )
    return render(request, "administration/sysadmin/user_form.html", {"form": form})


@require_GET
@perm_required(Perm.USERS_MANAGE)
def user_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    return render(
        request,
        "administration/sysadmin/user_detail.html",
        {"target": target, "deactivate_form": DeactivateForm()},
    )


@require_POST
@perm_required(Perm.USERS_MANAGE)
def user_deactivate(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            account_services.user_deactivate(
                actor=request.user, user=target, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _audit_refusal(request, "user.deactivate", exc, target)
            _form_error(form, exc)
        else:
            messages.success(
                request,
                gettext("账号 %(username)s 已停用，其登录会话已全部结束")
                % {"username": target.username},
            )
            return redirect("sysadmin:user", public_id=target.public_id)
    return render(
        request,
        "administration/sysadmin/user_detail.html",
        {"target": target, "deactivate_form": form},
        status=400,
    )


@require_POST
@perm_required(Perm.USERS_MANAGE)
def user_activate(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    try:
        account_services.user_activate(actor=request.user, user=target)
    except DomainError as exc:
        _audit_refusal(request, "user.activate", exc, target)
        return _refused(request, exc, "sysadmin:user", public_id=public_id)
    messages.success(request, gettext("账号 %(username)s 已启用") % {"username": target.username})
    return redirect("sysadmin:user", public_id=target.public_id)


@never_cache
@require_POST
@perm_required(Perm.USERS_MANAGE)
def user_password_reset(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    try:
        password = account_services.password_reset(actor=request.user, user=target)
    except DomainError as exc:
        _audit_refusal(request, "password.reset", exc, target)
        return _refused(request, exc, "sysadmin:user", public_id=public_id)
    return render(
        request,
        "administration/sysadmin/one_time_password.html",
        {"target": target, "password": password, "created": False},
    )


# --- 安全管理员: roles, permissions, lock-outs, TOTP -------------------------------------------


@require_GET
@perm_required(Perm.ROLES_MANAGE)
def security_home(request: AuthedRequest) -> HttpResponse:
    form = UserFilterForm(request.GET, regions=selectors.region_choices_for_admin(request.user))
    params = form.params()
    qs = selectors.user_list_for_admin(request.user, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "administration/secadmin/home.html",
        {"form": form, "page": page, "sort": params["sort"]},
    )


@perm_required(Perm.ROLES_MANAGE)
def user_roles(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    current = sorted(target.role_codes)
    form = RoleAssignForm(request.POST or None, initial={"roles": current})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                account_services.user_set_roles(
                    actor=request.user, user=target, roles=set(form.cleaned_data["roles"])
                )
            except DomainError as exc:
                _audit_refusal(request, "user.roles", exc, target)
                _form_error(form, exc)
            else:
                messages.success(request, gettext("已保存 %(user)s 的角色") % {"user": target})
                return redirect("secadmin:home")
        status = 400
    return render(
        request,
        "administration/secadmin/roles.html",
        {"target": target, "form": form, "admin_roles": sorted(ADMIN_ROLES)},
        status=status,
    )


@perm_required(Perm.ROLES_MANAGE)
def permission_matrix(request: AuthedRequest) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        try:
            changed = account_services.role_permission_matrix_set(
                actor=request.user, matrix=matrix_from_post(request.POST)
            )
        except DomainError as exc:
            audit.record_failure(
                actor=request.user,
                action="role.permissions",
                object_type="role",
                detail={"reason": exc.message},
            )
            error, status = exc.message, 400
        else:
            if changed:
                labels = gettext("、").join(gettext(Role(r).label) for r in changed)
                messages.success(
                    request, gettext("已保存，权限有变化的角色：%(roles)s") % {"roles": labels}
                )
            else:
                messages.info(request, gettext("没有改动"))
            return redirect("secadmin:permissions")
    table = selectors.role_permission_table()
    rows = [
        {"role": r, "cells": [(p, p.value in table.get(r.value, set())) for p in MATRIX_PERMS]}
        for r in MATRIX_ROLES
    ]
    fixed = [
        {"role": Role(r), "perms": [p.label for p in Perm if p in ADMIN_ROLE_OWN_PERMS[r]]}
        for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
    ]
    return render(
        request,
        "administration/secadmin/permissions.html",
        {"perms": MATRIX_PERMS, "rows": rows, "fixed": fixed, "error": error},
        status=status,
    )


@require_GET
@perm_required(Perm.SECURITY_POLICY)
def lockouts(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "administration/secadmin/lockouts.html",
        {"locked": selectors.locked_accounts(request.user), "now": timezone.now()},
    )


@require_POST
@perm_required(Perm.SECURITY_POLICY)
def unlock(request: AuthedRequest) -> HttpResponse:
    username = request.POST.get("username", "")
    try:
        account_services.user_unlock(actor=request.user, username=username)
    except DomainError as exc:
        _audit_refusal(request, "user.unlock", exc, object_repr=username)
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, gettext("账号 %(username)s 已解除锁定") % {"username": username})
    return redirect("secadmin:lockouts")


@require_GET
@perm_required(Perm.SECURITY_POLICY)
def totp_accounts(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "administration/secadmin/totp.html",
        {"accounts": selectors.admin_accounts_for_totp(request.user)},
    )


@never_cache
@require_POST
@perm_required(Perm.SECURITY_POLICY)
def totp_issue(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    try:
        target = _user_or_404(request, public_id)
    except DomainError as exc:
        return _refused(request, exc)
    try:
        device = account_services.totp_reissue(actor=request.user, user=target)
    except DomainError as exc:
        _audit_refusal(request, "user.totp", exc, target)
        return _refused(request, exc, "secadmin:totp")
    secret = base64.b32encode(bytes.fromhex(device.key)).decode()
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    return render(
        request,
        "administration/secadmin/totp_issued.html",
        {"target": target, "secret": secret, "config_url": device.config_url, "qr": qr},
    )


# --- 审计管理员: the audit trail (read-only) -----------------------------------------------------


def _audit_filter_form(data: Any) -> AuditFilterForm:
    return AuditFilterForm(
        data,
        actions=selectors.audit_action_choices(),
        regions=selectors.audit_region_choices(),
    )


@require_GET
@perm_required(Perm.AUDIT_VIEW)
def audit_list(request: AuthedRequest) -> HttpResponse:
    form = _audit_filter_form(request.GET)
    form.is_valid()
    page = Paginator(selectors.audit_events(form.to_filter()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "administration/auditlog/list.html", {"form": form, "page": page})


@require_GET
@perm_required(Perm.AUDIT_VIEW)
def audit_stats(request: AuthedRequest) -> HttpResponse:
    form = _audit_filter_form(request.GET)
    form.is_valid()
    return render(
        request,
        "administration/auditlog/stats.html",
        {"form": form, "stats": selectors.audit_stats(form.to_filter())},
    )


@require_GET
@perm_required(Perm.AUDIT_VIEW)
def audit_detail(request: AuthedRequest, seq: int) -> HttpResponse:
    try:
        event = selectors.audit_event(seq)
    except DomainError as exc:
        return _refused(request, exc)
    return render(
        request,
        "administration/auditlog/detail.html",
        {
            "event": event,
            "changes": selectors.change_rows(event),
            "detail_json": json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True),
        },
    )


@require_POST
@perm_required(Perm.AUDIT_VIEW)
def audit_export(request: AuthedRequest) -> HttpResponse:
    form = _audit_filter_form(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            gettext("筛选条件有误，未导出：")
            + "；".join(str(e) for errs in form.errors.values() for e in errs),
            extra_tags="danger",
        )
        return redirect("auditlog:list")
    try:
        content, _rows = services.audit_log_export(actor=request.user, filters=form.to_filter())
    except DomainError as exc:
        audit.record_failure(
            actor=request.user,
            action="audit.export",
            object_type="core.auditevent",
            detail={"reason": exc.message},
        )
        messages.error(request, exc.message, extra_tags="danger")
        return redirect("auditlog:list")
    name = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    resp = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Cache-Control"] = "no-store"
    return resp


@require_POST
@perm_required(Perm.AUDIT_VIEW)
def audit_verify(request: AuthedRequest) -> HttpResponse:
    report = services.audit_chain_verify(actor=request.user)
    return render(request, "administration/auditlog/verify.html", {"report": report})
