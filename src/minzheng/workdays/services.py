from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from minzheng.accounts.models import User
from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError

from .models import CalendarDay

DATA = Path(__file__).resolve().parent / "data" / "official-2020-2026.csv"


def load_official(model: Any = CalendarDay) -> int:
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        model.objects.update_or_create(
            date=date.fromisoformat(r["date"]), defaults={"kind": r["kind"], "name": r["name"]}
        )
    return len(rows)


@transaction.atomic
def calendar_day_set(*, actor: User, day: date, kind: str, name: str) -> CalendarDay:
    require_perm(actor, Perm.SYSTEM_CONFIG)
    if kind not in CalendarDay.Kind.values:
        raise DomainError("类型只能是“放假”或“调休上班”", field="kind")
    name = name.strip()
    if not name:
        raise DomainError("请填写名称，如“春节”", field="name")
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise DomainError(f"{day.isoformat()} 本来就是工作日，不需要设为调休上班", field="date")
    existing = CalendarDay.objects.filter(date=day).first()
    before = {"kind": existing.kind, "name": existing.name} if existing else {}
    obj, _ = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
    audit.record(
        actor=actor,
        action="calendar.set",
        obj=obj,
        changes=audit.diff(before, {"kind": kind, "name": name}),
    )
    return obj


@transaction.atomic
def calendar_day_clear(*, actor: User, day: date) -> None:
    require_perm(actor, Perm.SYSTEM_CONFIG)
    obj = CalendarDay.objects.filter(date=day).first()
    if obj is None:
        raise DomainError(f"{day.isoformat()} 没有特别安排")
    audit.record(
        actor=actor,
        action="calendar.clear",
        obj=obj,
        changes={"kind": [obj.kind, None], "name": [obj.name, None]},
    )
    obj.delete()
