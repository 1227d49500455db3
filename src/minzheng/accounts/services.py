"""Writes on accounts: creation, roles, passwords, log-in bookkeeping, tokens, reveals.

Every function audits in the same transaction and raises ``DomainError`` with a Chinese
message when a rule refuses the action.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from minzheng.core import audit
from minzheng.core.crypto import sm3_hex
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.core.idnumber import IdNumberError, normalize_phone
from minzheng.core.masking import Protected
from minzheng.geo.models import Region

from .models import ApiToken, PasswordHistory, RoleAssignment, RolePermission, User
from .roles import ADMIN_ROLE_OWN_PERMS, ADMIN_ROLES, BUSINESS_ROLES, Perm, Role, role_conflict
from .scoping import account_in_scope


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """Axes locks by the lower-cased user name, on every log-in path."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def generate_password() -> str:
    """A random password that passes every rule (for installs and resets)."""
    while True:
        candidate = (
            secrets.token_urlsafe(9)
            + secrets.choice("#%+=!@")
            + secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            + str(secrets.randbelow(10))
        )
        if sum(map(str.islower, candidate)) and sum(map(str.isupper, candidate)):
            return candidate


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(gettext("；").join(exc.messages), field="password") from exc


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


def _require_admin(actor: User, perm: str) -> None:
    if not actor.has_perm_code(perm):
        raise PermissionDeniedError()


def _require_in_scope(actor: User, user: User) -> None:
    """An administrator acts only on accounts of its own region subtree."""
    if not account_in_scope(actor, user):
        raise NotFoundOrNotYours()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    region: Region | None,
    password: str | None = None,
    phone: str | None = None,
    account_expires_on: Any = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create an account (系统管理员). Returns the user and its one-time initial password,
    which must be changed at first log-in. ``actor`` None means the installer."""
    if actor is not None:
        _require_admin(actor, Perm.USERS_MANAGE)
    username = username.strip()
    if not username:
        raise DomainError("用户名不能为空", field="username")
    if User.objects.filter(username__iexact=username).exists():
        # names are never reused, even after deactivation (IA-1)
        raise DomainError(
            f"用户名 {username} 已被使用（停用账号的用户名也不能复用）", field="username"
        )
    if (
        actor is not None
        and actor.region is not None
        and (region is None or not region.code.startswith(actor.region.prefix))
    ):
        raise DomainError("所属区域超出您的管理范围", field="region")
    if account_expires_on is not None and account_expires_on < timezone.localdate():
        raise DomainError("账号有效期不能早于今天", field="account_expires_on")
    if phone:
        try:
            phone = normalize_phone(phone)
        except IdNumberError as exc:
            raise DomainError(exc.message, field="phone") from exc
    user = User(
        username=username,
        full_name=full_name,
        region=region,
        phone=phone or None,
        account_expires_on=account_expires_on,
    )
    initial = password or generate_password()
    _validate_password(initial, user)
    user.set_password(initial)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change_password
    try:
        user.save()
    except IntegrityError as exc:
        raise DomainError(f"用户名 {username} 已被使用", field="username") from exc
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        region_code=region.code if region else "",
        changes=audit.diff(
            {},
            {
                "username": username,
                "full_name": full_name,
                "region": region.code if region else None,
                "phone": Protected("phone", phone) if phone else None,
                "account_expires_on": account_expires_on,
                "is_active": True,
            },
        ),
    )
    return user, initial


@transaction.atomic
def user_set_roles(*, actor: User | None, user: User, roles: set[str]) -> None:
    """Assign roles (安全管理员). 三员 roles exclude each other and every business role."""
    if actor is not None:
        _require_admin(actor, Perm.ROLES_MANAGE)
        if actor.pk == user.pk:
            raise DomainError("不能给自己分配角色")
    unknown = roles - set(Role.values)
    if unknown:
        raise DomainError(f"未知角色：{'、'.join(sorted(unknown))}", field="roles")
    if why := role_conflict(roles):
        raise DomainError(why, field="roles")
    if roles & BUSINESS_ROLES and user.region_id is None:
        raise DomainError("业务角色必须先设置所属区域", field="roles")
    before = set(user.role_assignments.values_list("role", flat=True))
    user.role_assignments.exclude(role__in=roles).delete()
    for role in roles - before:
        RoleAssignment.objects.create(user=user, role=role)
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("permission_codes", None)
    audit.record(
        actor=actor,
        action="user.roles",
        obj=user,
        region_code=user.region_id or "",
        changes={"roles": [sorted(before), sorted(roles)]},
    )


@transaction.atomic
def role_permissions_set(*, actor: User, role: str, perms: set[str]) -> None:
    """Edit one role's permissions (安全管理员, AC-5). Administrator-only permissions stay with
    their own administrator role, so the table cannot be edited into breaking 三权分立."""
    _require_admin(actor, Perm.ROLES_MANAGE)
    if role not in Role.values:
        raise DomainError(f"未知角色：{role}")
    unknown = perms - set(Perm.values)
    if unknown:
        raise DomainError(f"未知权限：{'、'.join(sorted(unknown))}")
    if role in ADMIN_ROLES:
        if perms != ADMIN_ROLE_OWN_PERMS[role]:
            raise DomainError(f"{Role(role).label}的权限由三权分立固定，不能修改")
    else:
        leaked = perms & {
            Perm.USERS_MANAGE,
            Perm.SYSTEM_CONFIG,
            Perm.ROLES_MANAGE,
            Perm.SECURITY_POLICY,
            Perm.AUDIT_VIEW,
        }
        if leaked:
            labels = "、".join(Perm(p).label for p in sorted(leaked))
            raise DomainError(f"业务角色不能拥有管理员权限：{labels}")
    before = set(RolePermission.objects.filter(role=role).values_list("perm", flat=True))
    RolePermission.objects.filter(role=role).exclude(perm__in=perms).delete()
    RolePermission.objects.bulk_create([RolePermission(role=role, perm=p) for p in perms - before])
    audit.record(
        actor=actor,
        action="role.permissions",
        object_type="role",
        object_id=role,
        object_repr=Role(role).label,
        changes={"perms": [sorted(before), sorted(perms)]},
    )


@transaction.atomic
def role_permission_matrix_set(*, actor: User, matrix: dict[str, set[str]]) -> list[str]:
    """Save the role → permission matrix in one go: every changed role is audited with its
    before/after values, and one refusal leaves the whole table as it was. Returns the roles
    that changed."""
    _require_admin(actor, Perm.ROLES_MANAGE)
    current: dict[str, set[str]] = {}
    for role, perm in RolePermission.objects.values_list("role", "perm"):
        current.setdefault(role, set()).add(perm)
    changed = [role for role, perms in sorted(matrix.items()) if current.get(role, set()) != perms]
    for role in changed:
        role_permissions_set(actor=actor, role=role, perms=matrix[role])
    return changed


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        audit.record(
            actor=user,
            action="password.change",
            obj=user,
            success=False,
            detail={"reason": "old password wrong"},
        )
        raise DomainError(gettext("原密码不正确"), field="old_password")
    _validate_password(new_password, user)
    _set_password(user, new_password, must_change=False)
    audit.record(actor=user, action="password.change", obj=user)


@transaction.atomic
def password_reset(*, actor: User, user: User) -> str:
    """系统管理员 resets a password: a random one, to be changed at the next log-in."""
    _require_admin(actor, Perm.USERS_MANAGE)
    _require_in_scope(actor, user)
    if actor.pk == user.pk:
        raise DomainError("不能重置自己的密码，请使用“修改密码”")
    before = user.must_change_password
    new = generate_password()
    _set_password(user, new, must_change=True)
    audit.record(
        actor=actor,
        action="password.reset",
        obj=user,
        region_code=user.region_id or "",
        changes={"must_change_password": [before, True]},
    )
    return new


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> None:
    _require_admin(actor, Perm.USERS_MANAGE)
    _require_in_scope(actor, user)
    if actor.pk == user.pk:
        raise DomainError("不能停用自己的账号")
    if not user.is_active:
        raise DomainError("该账号已是停用状态")
    if not reason.strip():
        raise DomainError("请填写停用原因", field="reason")
    before_reason = user.deactivated_reason
    user.is_active = False
    user.deactivated_reason = reason.strip()[:200]
    user.save(update_fields=["is_active", "deactivated_reason"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _end_sessions(user)
    audit.record(
        actor=actor,
        action="user.deactivate",
        obj=user,
        region_code=user.region_id or "",
        changes={
            "is_active": [True, False],
            "deactivated_reason": [before_reason, user.deactivated_reason],
        },
        detail={"reason": reason},
    )


@transaction.atomic
def user_activate(*, actor: User, user: User) -> None:
    _require_admin(actor, Perm.USERS_MANAGE)
    _require_in_scope(actor, user)
    if user.is_active:
        raise DomainError("该账号已是启用状态")
    before_reason = user.deactivated_reason
    user.is_active = True
    user.deactivated_reason = ""
    user.last_login = timezone.now()  # restart the dormancy clock
    user.save(update_fields=["is_active", "deactivated_reason", "last_login"])
    audit.record(
        actor=actor,
        action="user.activate",
        obj=user,
        region_code=user.region_id or "",
        changes={"is_active": [False, True], "deactivated_reason": [before_reason, ""]},
    )


@transaction.atomic
def user_unlock(*, actor: User, username: str) -> None:
    """安全管理员 lifts a log-in lockout before it expires."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    _require_admin(actor, Perm.SECURITY_POLICY)
    username = username.strip().lower()
    if not username or not AccessAttempt.objects.filter(username=username).exists():
        raise DomainError(f"账号 {username} 当前没有登录失败记录，无需解锁")
    cleared = reset(username=username)
    target = User.objects.filter(username__iexact=username).first()
    audit.record(
        actor=actor,
        action="user.unlock",
        obj=target,
        object_type="accounts.user",
        object_repr=username,
        region_code=(target.region_id or "") if target else "",
        changes={"locked": [True, False]},
        detail={"cleared_attempts": cleared},
    )


def totp_device_create(*, actor: User | None, user: User) -> TOTPDevice:
    """A confirmed TOTP device for an administrator; the caller shows its config URL once."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    audit.record(actor=actor, action="user.totp", obj=user, username=user.username)
    return device


@transaction.atomic
def totp_reissue(*, actor: User, user: User) -> TOTPDevice:
    """安全管理员 (re)issues the TOTP second factor of an administrator account (IA-8).

    The old device stops working at once and the account's sessions end; the caller shows
    the new secret once and never stores it anywhere else."""
    _require_admin(actor, Perm.SECURITY_POLICY)
    _require_in_scope(actor, user)
    if actor.pk == user.pk:
        raise DomainError("不能为自己的账号签发动态口令，请由另一名安全管理员办理")
    if not user.is_admin_role:
        raise DomainError("只有管理员（三员）账号使用动态口令")
    if not user.is_active:
        raise DomainError("该账号已停用，请先由系统管理员启用")
    had_device = TOTPDevice.objects.filter(user=user).exists()
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    _end_sessions(user)
    audit.record(
        actor=actor,
        action="user.totp",
        obj=user,
        region_code=user.region_id or "",
        changes={"totp_device": ["已配置" if had_device else None, "新签发"]},
    )
    return device


# --- Log-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRefusal:
    message: str
    reason: str


#: The one answer for an unknown user, a wrong password and a wrong code (a msgid: translate
#: it where it is shown).
GENERIC_LOGIN_ERROR = gettext_noop("用户名、密码或动态口令不正确")


def ip_allowed_for_admin(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(
        addr in ipaddress.ip_network(n, strict=False) for n in settings.ADMIN_ALLOWED_NETWORKS
    )


def login_check(*, user: User, otp_token: str, ip: str) -> LoginRefusal | None:
    """After the password matched: the account rules that may still refuse the log-in."""
    today = timezone.localdate()
    if user.account_expires_on and user.account_expires_on < today:
        return LoginRefusal(gettext("账号已过有效期，请联系系统管理员"), "expired")
    dormant = timedelta(days=settings.DORMANT_ACCOUNT_DAYS)
    if user.last_login and timezone.now() - user.last_login > dormant:
        with transaction.atomic():
            user.is_active = False
            user.deactivated_reason = f"超过{settings.DORMANT_ACCOUNT_DAYS}天未登录，自动停用"
            user.save(update_fields=["is_active", "deactivated_reason"])
            audit.record(
                actor=None,
                username=user.username,
                action="user.dormant",
                obj=user,
                changes={"is_active": [True, False]},
            )
        return LoginRefusal(gettext("账号长期未登录已自动停用，请联系系统管理员启用"), "dormant")
    if user.is_admin_role:
        if not ip_allowed_for_admin(ip):
            return LoginRefusal(gettext("管理员账号只能从指定的管理终端登录"), "admin_ip")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return LoginRefusal(gettext("管理员账号未配置动态口令，请联系安全管理员"), "no_totp")
        if not otp_token or not device.verify_token(otp_token.strip()):
            return LoginRefusal(gettext(GENERIC_LOGIN_ERROR), "bad_totp")
    return None


def login_record(*, user: User | None, username: str, success: bool, reason: str = "") -> None:
    audit.record(
        actor=user if success else None,
        username=username,
        action="auth.login",
        obj=user if success else None,
        object_type="accounts.user",
        object_repr=username,
        success=success,
        detail={"reason": reason} if reason else {},
    )


def _end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete the user's server-side sessions (log-out everywhere, kick-out)."""
    n = 0
    for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = s.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk) and s.session_key != keep:
            s.delete()
            n += 1
    return n


def sessions_limit(*, user: User, current_key: str) -> int:
    """Keep at most MINZHENG_MAX_SESSIONS sessions per account: older ones are ended."""
    if settings.MAX_SESSIONS_PER_USER == 1:
        n = _end_sessions(user, keep=current_key)
        if n:
            audit.record(actor=user, action="auth.kickout", obj=user, detail={"ended_sessions": n})
        return n
    return 0


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "mzt_"  # noqa: S105 - a prefix, not a secret


def api_token_create(*, user: User, name: str, days: int = 1) -> str:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name=name[:100],
        token_hash=sm3_hex(raw.encode()),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(actor=user, action="api.token.create", obj=user, detail={"name": name})
    return raw


def api_token_user(raw: str) -> User | None:
    """The active user of a live token. A token idle for longer than the session idle
    time-out (administrators: their shorter one) is revoked, like an idle session (IA-5)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(token_hash=sm3_hex(raw.encode()), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    idle = (
        settings.ADMIN_IDLE_MINUTES if token.user.is_admin_role else settings.SESSION_IDLE_MINUTES
    )
    if now - (token.last_used_at or token.created_at) > timedelta(minutes=idle):
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, user: User, raw: str) -> None:
    n = ApiToken.objects.filter(
        user=user, token_hash=sm3_hex(raw.encode()), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    audit.record(actor=user, action="api.token.revoke", obj=user, detail={"revoked": n})


# --- Personal data ----------------------------------------------------------------------------


def reveal_protected(
    *, actor: User, value: Protected | None, obj: Any, field: str, region_code: str
) -> str:
    """The full ID or phone number, for a user allowed to see it; always audited."""
    if value is None:
        return ""
    if not actor.has_perm_code(Perm.PII_REVEAL):
        audit.record_failure(
            actor=actor,
            action="pii.reveal",
            obj=obj,
            region_code=region_code,
            detail={"field": field},
        )
        raise PermissionDeniedError("您没有查看完整信息的权限")
    audit.record(
        actor=actor,
        action="pii.reveal",
        obj=obj,
        region_code=region_code,
        detail={"field": field, "masked": value.masked},
    )
    return value.reveal()
