"""Reads for the 三员 screens: accounts in the administrator's subtree, lock-outs, audit trail.

Account reads go through ``accounts.scoping.account_scope``; the audit trail is read whole by
the audit administrator (it is the system's trail, not business data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from minzheng.accounts.models import RolePermission, User
from minzheng.accounts.roles import ADMIN_ROLES, Role
from minzheng.accounts.scoping import account_scope
from minzheng.core.exceptions import NotFoundOrNotYours
from minzheng.core.models import AuditEvent
from minzheng.geo.models import Region

from .actions import FIELD_LABELS, action_label

# --- Accounts ---------------------------------------------------------------------------------

USER_SORTS: dict[str, str] = {
    "username": "username",
    "full_name": "full_name",
    "region": "region__code",
    "last_login": "last_login",
    "date_joined": "date_joined",
}
DEFAULT_USER_SORT = "username"


def user_list_for_admin(
    actor: User,
    *,
    q: str = "",
    region_code: str = "",
    role: str = "",
    active: str = "",
    sort: str = DEFAULT_USER_SORT,
) -> QuerySet[User]:
    """Accounts the administrator may manage, filtered and sorted (whitelisted keys only)."""
    qs = account_scope(User.objects.all(), actor)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if region_code:
        qs = qs.filter(region__code__startswith=_region_prefix(region_code))
    if role:
        qs = qs.filter(role_assignments__role=role)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    key = sort.lstrip("-")
    field = USER_SORTS.get(key, USER_SORTS[DEFAULT_USER_SORT])
    order = f"-{field}" if sort.startswith("-") and key in USER_SORTS else field
    # (user, role) is unique, so the role filter's join cannot repeat a user: no DISTINCT
    return (
        qs.select_related("region").prefetch_related("role_assignments").order_by(order, "username")
    )


def user_for_admin(actor: User, public_id: Any) -> User:
    """One account by its public id; another subtree's account looks the same as a missing one."""
    try:
        return account_scope(User.objects.select_related("region"), actor).get(public_id=public_id)
    except (User.DoesNotExist, ValueError) as exc:
        raise NotFoundOrNotYours() from exc


def _region_prefix(code: str) -> str:
    region = Region.objects.filter(code=code).first()
    return region.prefix if region else code


def region_choices_for_admin(actor: User) -> list[tuple[str, str]]:
    """The regions of the administrator's subtree, indented by level, for a picker."""
    qs = Region.objects.all()
    if actor.region is not None:  # no query when region_id is None
        qs = qs.filter(code__startswith=actor.region.prefix)
    depth: dict[str, int] = {
        Region.Level.PROVINCE: 0,
        Region.Level.CITY: 0,
        Region.Level.COUNTY: 0,
        Region.Level.TOWN: 1,
        Region.Level.ZONE: 1,
        Region.Level.VILLAGE: 2,
        Region.Level.COMMUNITY: 2,
    }
    return [
        (code, "　" * depth.get(level, 0) + name)
        for code, name, level in qs.order_by("code").values_list("code", "name", "level")
    ]


def admin_accounts_for_totp(actor: User) -> QuerySet[User]:
    """Administrator (三员) accounts of the subtree, with whether each has a TOTP device."""
    return (
        account_scope(User.objects.all(), actor)
        .filter(role_assignments__role__in=ADMIN_ROLES)
        .annotate(devices=Count("totpdevice", distinct=True))
        .select_related("region")
        .prefetch_related("role_assignments")
        .order_by("username")
        .distinct()
    )


# --- Role → permission matrix -------------------------------------------------------------------


def role_permission_table() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {r: set() for r in Role.values}
    for role, perm in RolePermission.objects.values_list("role", "perm"):
        table.setdefault(role, set()).add(perm)
    return table


# --- Log-in lock-outs (django-axes) -----------------------------------------------------------


@dataclass(frozen=True)
class LockedAccount:
    username: str
    failures: int
    last_attempt: dt.datetime
    locked_until: dt.datetime
    user: User | None


def locked_accounts(actor: User) -> list[LockedAccount]:
    """Accounts locked now: at least AXES_FAILURE_LIMIT failures within the cool-off period.

    User names that match no account (someone guessing) are listed too: the security
    administrator should see them. Accounts outside the actor's subtree are not listed.
    """
    from axes.models import AccessAttempt

    cooloff = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cooloff
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since, username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    rows = list(rows)
    if not rows:
        return []
    # axes keeps user names lower-cased; account names may not be
    named = Q()
    for r in rows:
        named |= Q(username__iexact=r["username"])
    existing = {
        name.lower() for name in User.objects.filter(named).values_list("username", flat=True)
    }
    users = {
        u.username.lower(): u
        for u in account_scope(User.objects.filter(named), actor).select_related("region")
    }
    out = []
    for r in rows:
        user = users.get(r["username"])
        if user is None and r["username"] in existing:
            continue  # an account of another subtree
        out.append(
            LockedAccount(
                username=r["username"],
                failures=r["failures"],
                last_attempt=r["last"],
                locked_until=r["last"] + cooloff,
                user=user,
            )
        )
    return out


# --- Audit trail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    action: str = ""
    ip: str = ""
    outcome: str = ""
    region: str = ""

    def as_detail(self) -> dict[str, Any]:
        """The filter as written into the audit record of an export."""
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def audit_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if f.user:
        qs = qs.filter(actor_username__icontains=f.user)
    if f.start:
        qs = qs.filter(occurred_at__gte=f.start)
    if f.end:
        qs = qs.filter(occurred_at__lte=f.end)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.ip:
        qs = qs.filter(ip__startswith=f.ip)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.region:
        qs = qs.filter(region_code__startswith=_region_prefix(f.region))
    return qs.order_by("-seq")


def audit_event(seq: int) -> AuditEvent:
    event = AuditEvent.objects.filter(seq=seq).first()
    if event is None:
        raise NotFoundOrNotYours()
    return event


def audit_action_choices() -> list[tuple[str, str]]:
    codes = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return [(c, f"{action_label(c)}（{c}）" if action_label(c) != c else c) for c in codes]


def audit_region_choices() -> list[tuple[str, str]]:
    """The county and its towns (region filter of the audit screens)."""
    levels = [Region.Level.COUNTY, Region.Level.TOWN, Region.Level.ZONE]
    return [
        (code, ("　" if level != Region.Level.COUNTY else "") + name)
        for code, name, level in Region.objects.filter(level__in=levels)
        .order_by("code")
        .values_list("code", "name", "level")
    ]


class ActionCount(TypedDict):
    """One row of the by-action table of ``audit_stats``."""

    action: str
    n: int
    label: str
    percent: int  # of the busiest action, for the bar


class DayCount(TypedDict):
    """One row of the by-day table of ``audit_stats``."""

    day: dt.date
    n: int
    failures: int
    percent: int  # of the busiest day, for the bar


def audit_stats(f: AuditFilter) -> dict[str, Any]:
    """Counts by action, by day (Asia/Shanghai) and by outcome for the filtered range."""
    qs = audit_events(f).order_by()
    by_outcome = dict(qs.values_list("outcome").annotate(n=Count("seq")))
    total = sum(by_outcome.values())
    action_rows = list(qs.values("action").annotate(n=Count("seq")).order_by("-n", "action"))
    top = max((a["n"] for a in action_rows), default=0)
    actions: list[ActionCount] = [
        {
            "action": a["action"],
            "n": a["n"],
            "label": action_label(a["action"]),
            "percent": round(a["n"] * 100 / top) if top else 0,
        }
        for a in action_rows
    ]
    tz = ZoneInfo(settings.TIME_ZONE)
    day_rows = list(
        qs.annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("day")
        .annotate(
            n=Count("seq"),
            failures=Count("seq", filter=Q(outcome=AuditEvent.Outcome.FAILURE)),
        )
        .order_by("-day")
    )
    top_day = max((d["n"] for d in day_rows), default=0)
    days: list[DayCount] = [
        {
            "day": d["day"],
            "n": d["n"],
            "failures": d["failures"],
            "percent": round(d["n"] * 100 / top_day) if top_day else 0,
        }
        for d in day_rows
    ]
    return {
        "total": total,
        "success": by_outcome.get(AuditEvent.Outcome.SUCCESS, 0),
        "failure": by_outcome.get(AuditEvent.Outcome.FAILURE, 0),
        "actions": actions,
        "days": days,
    }


def change_rows(event: AuditEvent) -> list[dict[str, Any]]:
    """``changes`` as rows of field / old / new for the detail page."""
    rows = []
    for field, value in sorted((event.changes or {}).items()):
        label = FIELD_LABELS.get(field, "")
        if isinstance(value, list) and len(value) == 2:
            rows.append(
                {"field": field, "label": label, "old": value[0], "new": value[1], "pair": True}
            )
        else:
            rows.append({"field": field, "label": label, "old": None, "new": value, "pair": False})
    return rows
