"""Writes of the rescue station: keyword-only, one transaction, permission and region
checked, audited; a refusal is a ``DomainError`` in plain Chinese.

The services a station gives — food, lodging, medical care when taken ill, contact with the
family, a ticket home — follow 《城市生活无着的流浪乞讨人员救助管理办法》(国务院令第381号)
第6条 [记忆-待核: not among the texts read for policy-rules.md; verify before go-live]."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours
from minzheng.geo.models import Region
from minzheng.registry.models import Person

from .models import FollowUpVisit, RescueCase, RescueService

CLOSED = (RescueCase.Status.ESCORTED, RescueCase.Status.TRANSFERRED, RescueCase.Status.LEFT)


def _today() -> dt.date:
    return timezone.localdate()


def _require(actor: Any, region_code: str) -> None:
    require_perm(actor, Perm.REGISTRY_EDIT)
    if not region_allowed(actor, region_code):
        raise NotFoundOrNotYours()


def _date(
    value: dt.date | None, field: str, label: str, *, not_before: dt.date | None = None
) -> dt.date:
    if value is None:
        raise DomainError(f"请填写{label}", field=field)
    if value > _today():
        raise DomainError(f"{label}不能晚于今天", field=field)
    if not_before is not None and value < not_before:
        raise DomainError(f"{label}不能早于接收日期 {not_before.isoformat()}", field=field)
    return value


def _lock(case: RescueCase) -> RescueCase:
    return RescueCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_receive(
    *,
    actor: Any,
    received_on: dt.date,
    found_place: str,
    region_code: str,
    source: str,
    person: Person | None = None,
    stated_name: str = "",
    apparent_sex: str = "",
    apparent_age: int | None = None,
    description: str = "",
    hometown_stated: str = "",
) -> RescueCase:
    """Receive a person at the station. Identified: a person of the registry. Otherwise an
    unidentified record, which needs a description (体貌特征) to be found again."""
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise DomainError("请选择发现地所属的乡镇或村（社区）", field="region")
    _require(actor, region.code)
    when = _date(received_on, "received_on", "接收日期")
    place = " ".join((found_place or "").split())
    if not place:
        raise DomainError("请填写发现地点", field="found_place")
    if source not in RescueCase.Source.values:
        raise DomainError("请选择来站方式", field="source")
    description = (description or "").strip()
    if person is None and len(description) < 4:
        raise DomainError("身份不明的，请填写体貌特征及情况（至少4个字）", field="description")
    if apparent_sex and apparent_sex not in ("1", "2", "9"):
        raise DomainError("性别代码不正确", field="apparent_sex")
    case = RescueCase.objects.create(
        received_on=when,
        found_place=place[:200],
        region=region,
        county_code=region.code[:6],
        source=source,
        identity=RescueCase.Identity.IDENTIFIED if person else RescueCase.Identity.UNIDENTIFIED,
        person=person,
        stated_name=(stated_name or "").strip()[:50],
        apparent_sex=apparent_sex,
        apparent_age=apparent_age,
        description=description,
        hometown_stated=(hometown_stated or "").strip()[:100],
        created_by=actor,
    )
    case.case_number = f"LQ{when:%Y}-{case.pk:05d}"
    case.save(update_fields=["case_number"])
    audit.record(
        actor=actor,
        action="rescue.case.receive",
        obj=case,
        region_code=region.code,
        detail={"identity": case.identity, "source": source, "received_on": when},
    )
    return case


@transaction.atomic
def case_identify(*, actor: Any, case: RescueCase, person: Person) -> RescueCase:
    """The person's identity was found: link the record to the registry."""
    _require(actor, case.region_id)
    c = _lock(case)
    if c.person_id == person.pk:
        raise DomainError("已关联该人员", field="person")
    old = c.person_id
    c.person, c.identity = person, RescueCase.Identity.IDENTIFIED
    c.save(update_fields=["person", "identity", "updated_at"])
    audit.record(
        actor=actor,
        action="rescue.case.identify",
        obj=c,
        region_code=c.region_id,
        changes={"person": [old, person.pk]},
    )
    return c


@transaction.atomic
def service_add(
    *,
    actor: Any,
    case: RescueCase,
    kind: str,
    provided_on: dt.date,
    amount_fen: int,
    quantity: int = 1,
    note: str = "",
) -> RescueService:
    """A service given (meals, lodging, medical care, clothing, a ticket home) and its cost."""
    _require(actor, case.region_id)
    c = _lock(case)
    if kind not in RescueService.Kind.values:
        raise DomainError("请选择服务项目", field="kind")
    when = _date(provided_on, "provided_on", "服务日期", not_before=c.received_on)
    if c.outcome_on is not None and when > c.outcome_on:
        raise DomainError(
            f"服务日期不能晚于离站日期 {c.outcome_on.isoformat()}", field="provided_on"
        )
    if amount_fen is None or amount_fen < 0:
        raise DomainError("请填写不小于0的金额", field="amount")
    if quantity is None or quantity < 1:
        raise DomainError("数量至少为1", field="quantity")
    s = RescueService.objects.create(
        case=c,
        kind=kind,
        provided_on=when,
        quantity=quantity,
        amount_fen=amount_fen,
        note=(note or "").strip()[:200],
        county_code=c.county_code,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="rescue.service.add",
        obj=c,
        region_code=c.region_id,
        detail={"kind": kind, "amount_fen": amount_fen, "provided_on": when},
    )
    return s


@transaction.atomic
def case_close(
    *,
    actor: Any,
    case: RescueCase,
    outcome: str,
    outcome_on: dt.date,
    destination: str = "",
    note: str = "",
) -> RescueCase:
    """How the stay ended: escorted home, transferred (hospital, welfare institution, another
    station), or left of their own will. Escort and transfer name where to."""
    _require(actor, case.region_id)
    c = _lock(case)
    if c.status in CLOSED:
        raise DomainError(f"该案件已{c.get_status_display()}")
    if outcome not in CLOSED:
        raise DomainError("请选择离站方式", field="outcome")
    when = _date(outcome_on, "outcome_on", "离站日期", not_before=c.received_on)
    destination = " ".join((destination or "").split())
    if outcome in (RescueCase.Status.ESCORTED, RescueCase.Status.TRANSFERRED) and not destination:
        raise DomainError("护送返乡或转介安置的，请填写去向", field="destination")
    if c.services.filter(provided_on__gt=when).exists():
        raise DomainError("离站日期之后还有服务记录，请核对离站日期", field="outcome_on")
    c.status, c.outcome_on = outcome, when
    c.destination, c.outcome_note = destination[:200], (note or "").strip()[:300]
    c.save(update_fields=["status", "outcome_on", "destination", "outcome_note", "updated_at"])
    audit.record(
        actor=actor,
        action="rescue.case.close",
        obj=c,
        region_code=c.region_id,
        changes={"status": [RescueCase.Status.IN_CARE, outcome]},
        detail={"outcome_on": when, "destination": destination[:100]},
    )
    return c


@transaction.atomic
def followup_add(
    *,
    actor: Any,
    case: RescueCase,
    visited_on: dt.date,
    method: str,
    situation: str,
    returned_to_street: bool = False,
) -> FollowUpVisit:
    """A follow-up visit after the person left the station."""
    _require(actor, case.region_id)
    c = _lock(case)
    if c.status == RescueCase.Status.IN_CARE or c.outcome_on is None:
        raise DomainError("受助人员离站后才能登记回访", field="visited_on")
    when = _date(visited_on, "visited_on", "回访日期", not_before=c.outcome_on)
    if method not in FollowUpVisit.Method.values:
        raise DomainError("请选择回访方式", field="method")
    situation = " ".join((situation or "").split())
    if len(situation) < 4:
        raise DomainError("请填写回访情况（至少4个字）", field="situation")
    v = FollowUpVisit.objects.create(
        case=c,
        visited_on=when,
        method=method,
        situation=situation[:300],
        returned_to_street=returned_to_street,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="rescue.followup.add",
        obj=c,
        region_code=c.region_id,
        detail={"visited_on": when, "returned_to_street": returned_to_street},
    )
    return v
