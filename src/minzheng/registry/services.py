"""Writes on the social registry.

Every function is keyword-only, runs in one transaction, checks the actor's permission and
region, writes the audit event (old → new, masked) and a business-visible history entry
(:class:`~.models.ChangeEntry`) in that transaction, and raises a ``DomainError`` with a
Chinese message when a rule refuses the action.

Edits of versioned rows take the ``version`` the user's form was based on. The row is locked
(``select_for_update``; SQLite's writer lock does the same), compared and saved with
``version + 1``; an old version raises ``ConcurrentEditError`` naming what the other user
changed, never overwriting it silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils import timezone, translation

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    NotFoundOrNotYours,
    PermissionDeniedError,
)
from minzheng.core.fields import index_value
from minzheng.core.idnumber import IdNumberError, normalize_phone, parse_resident_id
from minzheng.core.masking import Protected
from minzheng.geo.models import Region
from minzheng.geo.selectors import region_span

from . import codes, hooks
from .models import (
    Asset,
    ChangeEntry,
    CodeTable,
    Disability,
    Document,
    Employment,
    HealthCondition,
    Household,
    IncomeItem,
    Membership,
    Person,
    PersonSearchKey,
    Situation,
    Source,
)
from .pinyin import search_keys

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: sniffed from the first bytes, never from the name or the browser's Content-Type
FILE_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ALLOWED_SUFFIXES = {"pdf": {".pdf"}, "png": {".png"}, "jpg": {".jpg", ".jpeg"}}

FIELD_LABELS = {
    "person": "人员",
    "category": "类别",
    "kind": "财产类型",
    "id_number": "身份证号码",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "region": "户籍地",
    "hukou": "户口性质",
    "phone": "联系电话",
    "status": "状态",
    "died_on": "死亡日期",
    "moved_out_on": "迁出日期",
    "address": "家庭住址",
    "head": "户主",
    "household": "家庭",
    "relation": "与户主关系",
    "living_together": "共同生活",
    "started_on": "起始日期",
    "ended_on": "终止日期",
    "end_reason": "终止原因",
    "monthly_amount_fen": "月收入",
    "source": "来源",
    "note": "说明",
    "description": "说明",
    "value_fen": "价值",
    "count": "数量",
    "certificate_number": "残疾人证号",
    "grade": "残疾等级",
    "issued_on": "发证日期",
    "valid_until": "有效期至",
    "serious_illness": "重特大疾病",
    "diagnosed_on": "确诊日期",
    "work_ability": "劳动能力",
    "employer": "工作单位",
    "title": "材料名称",
    "since": "起始日期",
    "until": "结束日期",
    "basis": "证明材料",
}


# --- helpers ----------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _actor_name(actor: Any) -> str:
    return (getattr(actor, "full_name", "") or actor.get_username())[:150]


def _require_edit(actor: Any) -> None:
    require_perm(actor, Perm.REGISTRY_EDIT)


def _require_own(actor: Any, region_code: str) -> None:
    """An existing record outside the actor's subtree looks exactly like a missing one."""
    if not region_allowed(actor, region_code):
        raise NotFoundOrNotYours()


def _village(actor: Any, code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or region.level not in (Region.Level.VILLAGE, Region.Level.COMMUNITY):
        raise DomainError("请选择到村（社区）一级", field="region")
    if not region_allowed(actor, region.code):
        raise PermissionDeniedError("只能在本人负责的区域内登记或修改档案")
    return region


def fen_text(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}元"


def _display(field: str, value: Any, model: type[models.Model] | None = None) -> Any:
    """A value as staff read it in the history (labels, yuan, masked personal data)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Protected):
        return value.masked
    if isinstance(value, bool):
        return "是" if value else "否"
    if field == "sex":
        return codes.label(CodeTable.SEX, value)
    if field == "ethnicity":
        return codes.label(CodeTable.ETHNICITY, value)
    if field == "relation":
        return codes.label(CodeTable.RELATION, value)
    if field == "category" and model is Disability:
        return codes.label(CodeTable.DISABILITY_CATEGORY, value)
    if field == "grade" and isinstance(value, int) and 1 <= value <= 4:
        return "一二三四"[value - 1] + "级"
    if field.endswith("_fen"):
        return fen_text(value)
    if isinstance(value, Region):
        return value.name
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if model is not None:
        try:
            f = model._meta.get_field(field)
        except FieldDoesNotExist:
            f = None
        choices = getattr(f, "choices", None)  # a reverse relation has no ``choices``
        if choices:
            return dict(choices).get(value, value)
    return str(value)


#: labels that read better for one kind of record
MODEL_LABELS: dict[str, dict[str, str]] = {
    "incomeitem": {"person": "收入人", "category": "收入类别"},
    "asset": {"person": "所有人"},
    "disability": {"category": "残疾类别"},
    "employment": {"status": "就业状况"},
    "situation": {"kind": "情形"},
}


def _history_rows(
    old: Mapping[str, Any], new: Mapping[str, Any], model: type[models.Model]
) -> list[list[Any]]:
    order = {key: i for i, key in enumerate(FIELD_LABELS)}
    labels = {**FIELD_LABELS, **MODEL_LABELS.get(model._meta.model_name or "", {})}
    rows = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: order.get(k, len(order))):
        if key == "version":
            continue
        before, after = _display(key, old.get(key), model), _display(key, new.get(key), model)
        if before != after:
            rows.append([labels.get(key, key), before, after])
    return rows


def _current_household_id(person: Person) -> int | None:
    return (
        Membership.objects.filter(person=person, ended_on__isnull=True)
        .values_list("household_id", flat=True)
        .first()
    )


def _write(
    *,
    actor: Any,
    action: str,
    summary: str,
    obj: models.Model,
    region_code: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    household_id: int | None = None,
    person: Person | None = None,
    detail: Mapping[str, Any] | None = None,
) -> ChangeEntry:
    """The audit event and the history entry of one change, in the caller's transaction."""
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        region_code=region_code,
        changes=audit.diff(old, new),
        detail=detail,
    )
    return ChangeEntry.objects.create(
        household_id=household_id,
        person=person,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        action=action,
        summary=summary[:200],
        changes=_history_rows(old, new, type(obj)),
        object_type=obj._meta.model_name or "",  # set on every concrete model
        object_id=obj.pk,
        version=getattr(obj, "version", None),
        county_code=region_code[:6],
    )


def _lock(instance: models.Model) -> Any:
    # ``_default_manager`` is ``objects``: no model declares another manager
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def _check_version(current: Any, version: int | None) -> None:
    if version is None:
        raise DomainError("缺少版本信息，无法确认您看到的是最新内容；请刷新页面后重新填写")
    if int(version) == current.version:
        return
    entries = list(
        ChangeEntry.objects.filter(
            object_type=current._meta.model_name, object_id=current.pk, version__gt=int(version)
        ).order_by("version")
    )
    if entries:
        parts = []
        for e in entries:
            when = timezone.localtime(e.occurred_at).strftime("%Y-%m-%d %H:%M")
            what = "；".join(
                f"{label}：{old or '（空）'} → {new or '（空）'}" for label, old, new in e.changes
            )
            parts.append(f"{e.actor_name} 于 {when} {e.summary}（{what or '无字段变化'}）")
        changed = "；".join(parts)
    else:
        changed = "其他用户已修改了该记录"
    err = ConcurrentEditError(
        f"保存失败：您打开页面后，该记录已被他人修改。{changed}。"
        "为避免覆盖他人的修改，本次未保存，请刷新页面核对后重新填写。"
    )
    err.entries = entries  # type: ignore[attr-defined]
    err.current = current  # type: ignore[attr-defined]
    raise err


def _as_date(value: Any, label: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DomainError(f"{label}格式不正确，应为 2024-01-31 这样的日期", field=field) from exc


def _parse_id(raw: str) -> Any:
    try:
        return parse_resident_id(raw, today=_today(), region_lookup=region_span)
    except IdNumberError as exc:
        raise DomainError(exc.message, field="id_number") from exc


def _phone(raw: str | None) -> Protected | None:
    """The normalised number, wrapped so that audit and history only ever see it masked."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return Protected("phone", normalize_phone(str(raw)))
    except IdNumberError as exc:
        raise DomainError(exc.message, field="phone") from exc


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("请填写姓名", field="name")
    if len(name) > 50:
        raise DomainError("姓名不能超过50个字", field="name")
    return name


def _check_code(table: str, code: str, field: str, what: str) -> str:
    code = (code or "").strip()
    if not codes.is_valid(table, code):
        raise DomainError(f"{what}代码“{code}”不在国家标准代码表中", field=field)
    return code


def _id_warnings(parsed: Any) -> list[str]:
    warnings = list(parsed.warnings)
    if parsed.converted_from_15:
        warnings.append("已由15位号码升级为18位，请核对")
    return warnings


def _household_label(household: Household) -> str:
    head = household.head.name if household.head_id and household.head else "（无户主）"
    parent = household.region.parent if household.region.parent_id else None
    return f"{head}户（{parent.name if parent is not None else ''}{household.region.name}）"


def duplicate_message(actor: Any, existing: Person) -> str:
    """The Chinese error for an ID number already on file, naming its household if visible."""
    masked = existing.id_number.masked if existing.id_number else ""
    if not region_allowed(actor, existing.region_id):
        town = (
            Region.objects.filter(code=existing.region_id[:9])
            .values_list("name", flat=True)
            .first()
        )
        return (
            f"身份证号码 {masked} 已在{town or '其他区域'}登记，不能重复登记；"
            "如需迁入本辖区，请联系县局核实"
        )
    membership = (
        Membership.objects.filter(person=existing, ended_on__isnull=True)
        .select_related("household__head", "household__region__parent")
        .first()
    )
    where = f"现属{_household_label(membership.household)}" if membership else "目前不属于任何家庭"
    return f"身份证号码 {masked} 已登记为 {existing.name}，{where}，不能重复登记"


def _write_search_keys(person: Person) -> None:
    PersonSearchKey.objects.filter(person=person).delete()
    PersonSearchKey.objects.bulk_create(
        [
            PersonSearchKey(person=person, key=key, kind=kind, region_code=person.region_id)
            for kind, key in search_keys(person.name)
        ]
    )


def rebuild_search_keys(persons: Iterable[Person], *, batch: int = 2000) -> int:
    """Keys for many persons at once (bulk imports): one delete and batched inserts."""
    rows: list[PersonSearchKey] = []
    ids: list[int] = []
    n = 0
    for p in persons:
        ids.append(p.pk)
        rows.extend(
            PersonSearchKey(person_id=p.pk, key=key, kind=kind, region_code=p.region_id)
            for kind, key in search_keys(p.name)
        )
        if len(rows) >= batch:
            PersonSearchKey.objects.filter(person_id__in=ids).delete()
            PersonSearchKey.objects.bulk_create(rows, batch_size=batch)
            n += len(rows)
            rows, ids = [], []
    if ids:
        PersonSearchKey.objects.filter(person_id__in=ids).delete()
        PersonSearchKey.objects.bulk_create(rows, batch_size=batch)
        n += len(rows)
    return n


def household_recount(household_ids: Iterable[int]) -> None:
    """Set ``member_count`` from the current memberships (after bulk work)."""
    ids = list(household_ids)
    counts = dict(
        Membership.objects.filter(household_id__in=ids, ended_on__isnull=True)
        .values_list("household_id")
        .annotate(n=Count("id"))
    )
    for hid in ids:
        Household.objects.filter(pk=hid).update(member_count=counts.get(hid, 0))


PERSON_FIELDS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "region",
    "hukou",
    "phone",
    "status",
    "died_on",
    "moved_out_on",
    "version",
)


def _person_snapshot(p: Person) -> dict[str, Any]:
    snap = audit.snapshot(p, [f for f in PERSON_FIELDS if f != "region"])
    snap["region"] = p.region_id
    return snap


def _person_history_snapshot(p: Person, region_names: Mapping[str, str]) -> dict[str, Any]:
    snap = _person_snapshot(p)
    snap["region"] = region_names.get(p.region_id, p.region_id)
    return snap


# --- persons ----------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: Any,
    id_number: str,
    name: str,
    region_code: str,
    hukou: str,
    ethnicity: str = codes.ETHNICITY_HAN,
    phone: str | None = None,
) -> Person:
    """Register a person. Sex and birth date come from the ID number; address-code doubts
    are kept as warnings (``person.id_warnings``), never a refusal."""
    _require_edit(actor)
    parsed = _parse_id(id_number)
    region = _village(actor, region_code)
    if hukou not in Person.Hukou.values:
        raise DomainError("请选择户口性质（城镇或农村）", field="hukou")
    existing = Person.objects.filter(id_number_index=index_value("id", parsed.number)).first()
    if existing is not None:
        raise DomainError(duplicate_message(actor, existing), field="id_number", code="duplicate")
    person = Person(
        id_number=Protected("id", parsed.number),
        name=_clean_name(name),
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        ethnicity=_check_code(CodeTable.ETHNICITY, ethnicity, "ethnicity", "民族"),
        region=region,
        county_code=region.code[:6],
        hukou=hukou,
        phone=_phone(phone),
        id_warnings=_id_warnings(parsed),
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        existing = Person.objects.filter(id_number_index=index_value("id", parsed.number)).first()
        if existing is None:
            raise
        raise DomainError(
            duplicate_message(actor, existing), field="id_number", code="duplicate"
        ) from exc
    _write_search_keys(person)
    empty = dict.fromkeys(PERSON_FIELDS)
    _write(
        actor=actor,
        action="registry.person.create",
        summary=f"登记人员 {person.name}",
        obj=person,
        region_code=region.code,
        old=empty,
        new=_person_history_snapshot(person, {region.code: region.name}),
        person=person,
        detail={"id_warnings": person.id_warnings},
    )
    return person


PERSON_EDITABLE = {"id_number", "name", "ethnicity", "region", "hukou", "phone"}


@transaction.atomic
def person_update(
    *, actor: Any, person: Person, version: int, changes: Mapping[str, Any]
) -> Person:
    """Edit a person's basic facts (``changes`` keys: id_number, name, ethnicity, region,
    hukou, phone). A new ID number is re-parsed; sex and birth date follow it."""
    _require_edit(actor)
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    _require_own(actor, person.region_id)
    current: Person = _lock(person)
    _check_version(current, version)
    old_region = current.region
    old = _person_history_snapshot(current, {old_region.code: old_region.name})
    audit_old = _person_snapshot(current)
    names = {old_region.code: old_region.name}

    if "id_number" in changes:
        parsed = _parse_id(str(changes["id_number"]))
        if parsed.number != (current.id_number.reveal() if current.id_number else ""):
            other = (
                Person.objects.filter(id_number_index=index_value("id", parsed.number))
                .exclude(pk=current.pk)
                .first()
            )
            if other is not None:
                raise DomainError(
                    duplicate_message(actor, other), field="id_number", code="duplicate"
                )
            current.id_number = Protected("id", parsed.number)
            current.sex = parsed.sex
            current.birth_date = parsed.birth_date
            current.id_warnings = _id_warnings(parsed)
            early = IncomeItem.objects.filter(person=current, started_on__lt=parsed.birth_date)
            if early.exists():
                raise DomainError(
                    f"新号码的出生日期 {parsed.birth_date.isoformat()} 晚于此人已有收入的起始日期，请先核对收入记录",
                    field="id_number",
                )
    if "name" in changes:
        current.name = _clean_name(str(changes["name"]))
    if "ethnicity" in changes:
        current.ethnicity = _check_code(
            CodeTable.ETHNICITY, str(changes["ethnicity"]), "ethnicity", "民族"
        )
    if "hukou" in changes:
        if changes["hukou"] not in Person.Hukou.values:
            raise DomainError("请选择户口性质（城镇或农村）", field="hukou")
        current.hukou = changes["hukou"]
    if "phone" in changes:
        current.phone = _phone(changes["phone"])
    if "region" in changes:
        region = _village(actor, str(changes["region"]))
        current.region = region
        current.county_code = region.code[:6]
        names[region.code] = region.name

    new = _person_history_snapshot(current, names)
    if _history_rows(old, new, Person) == []:
        return current  # nothing changed: no new version, no history noise
    current.version += 1
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError as exc:
        raise DomainError("该身份证号码已登记，不能重复登记", field="id_number") from exc
    if old["name"] != current.name or old_region.code != current.region_id:
        _write_search_keys(current)
    new = _person_history_snapshot(current, names)
    audit.record(
        actor=actor,
        action="registry.person.update",
        obj=current,
        region_code=current.region_id,
        changes=audit.diff(audit_old, _person_snapshot(current)),
    )
    ChangeEntry.objects.create(
        household_id=_current_household_id(current),
        person=current,
        actor=actor,
        actor_name=_actor_name(actor),
        action="registry.person.update",
        summary=f"修改人员 {current.name} 的信息",
        changes=_history_rows(old, new, Person),
        object_type="person",
        object_id=current.pk,
        version=current.version,
        county_code=current.county_code,
    )
    return current


def _end_current_membership(
    *, actor: Any, person: Person, ended_on: dt.date, reason: str
) -> Membership | None:
    m = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("household")
        .filter(person=person, ended_on__isnull=True)
        .first()
    )
    if m is None:
        return None
    m.ended_on = max(ended_on, m.started_on)
    m.end_reason = reason[:100]
    m.save(update_fields=["ended_on", "end_reason"])
    Household.objects.filter(pk=m.household_id, member_count__gt=0).update(
        member_count=F("member_count") - 1
    )
    return m


def _person_status_change(
    *,
    actor: Any,
    person: Person,
    version: int,
    status: str,
    on: dt.date | str | None,
    field: str,
    label: str,
    action: str,
) -> Person:
    _require_edit(actor)
    _require_own(actor, person.region_id)
    current: Person = _lock(person)
    _check_version(current, version)
    when = _as_date(on, label, field)
    if when is None:
        raise DomainError(f"请填写{label}", field=field)
    if current.status != Person.Status.LIVING:
        raise DomainError(
            f"{current.name} 当前状态为“{current.get_status_display()}”，不能再标记", field=field
        )
    if when < current.birth_date:
        raise DomainError(f"{label}不能早于出生日期 {current.birth_date.isoformat()}", field=field)
    if when > _today():
        raise DomainError(f"{label}不能晚于今天", field=field)
    old = _person_snapshot(current)
    current.status = status
    setattr(current, field, when)
    current.version += 1
    current.save()
    reason = "死亡" if status == Person.Status.DECEASED else "迁出"
    membership = _end_current_membership(actor=actor, person=current, ended_on=when, reason=reason)
    new = _person_snapshot(current)
    if membership is not None:
        old["household"], new["household"] = str(membership.household), ""
    _write(
        actor=actor,
        action=action,
        summary=f"{current.name} {reason}（{when.isoformat()}）",
        obj=current,
        region_code=current.region_id,
        old=old,
        new=new,
        household_id=membership.household_id if membership else None,
        person=current,
    )
    return current


@transaction.atomic
def person_mark_deceased(
    *, actor: Any, person: Person, version: int, died_on: dt.date | str
) -> Person:
    """Record a death: the status changes and the person's current membership ends; the
    apps registered in ``hooks`` (assistance) end what the death ends, in this transaction."""
    person = _person_status_change(
        actor=actor,
        person=person,
        version=version,
        status=Person.Status.DECEASED,
        on=died_on,
        field="died_on",
        label="死亡日期",
        action="registry.person.deceased",
    )
    assert person.died_on is not None  # set by _person_status_change above
    hooks.person_deceased(actor=actor, person=person, died_on=person.died_on)
    return person


@transaction.atomic
def person_mark_moved_out(
    *, actor: Any, person: Person, version: int, moved_out_on: dt.date | str
) -> Person:
    """Record that the person's 户籍 moved out of the county."""
    return _person_status_change(
        actor=actor,
        person=person,
        version=version,
        status=Person.Status.MOVED_OUT,
        on=moved_out_on,
        field="moved_out_on",
        label="迁出日期",
        action="registry.person.moved_out",
    )


# --- households and membership ----------------------------------------------------------------


def _check_joinable(actor: Any, person: Person, household: Household | None) -> None:
    _require_own(actor, person.region_id)
    if person.status == Person.Status.DECEASED:
        raise DomainError(f"{person.name} 已故，不能加入家庭", field="person")
    if person.status == Person.Status.MOVED_OUT:
        raise DomainError(f"{person.name} 已迁出，不能加入家庭", field="person")
    current = (
        Membership.objects.filter(person=person, ended_on__isnull=True)
        .select_related("household__head", "household__region__parent")
        .first()
    )
    if current is not None:
        if household is not None and current.household_id == household.pk:
            raise DomainError(f"{person.name} 已是本户成员", field="person")
        raise DomainError(
            f"{person.name} 已属于{_household_label(current.household)}，"
            "一个人同一时间只能属于一个家庭；如需迁入本户，请使用“迁入本户”",
            field="person",
            code="in_other_household",
        )


@transaction.atomic
def household_create(
    *,
    actor: Any,
    head: Person,
    address: str = "",
    region_code: str | None = None,
    started_on: dt.date | str | None = None,
) -> Household:
    """A new household with ``head`` as its first member (relation 02 户主)."""
    _require_edit(actor)
    region = _village(actor, region_code or head.region_id)
    head = _lock(head)
    _check_joinable(actor, head, None)
    since = _as_date(started_on, "起始日期", "started_on") or _today()
    if since < head.birth_date:
        raise DomainError("起始日期不能早于户主的出生日期", field="started_on")
    household = Household.objects.create(
        head=head,
        address=(address or "").strip()[:200],
        region=region,
        county_code=region.code[:6],
        member_count=1,
    )
    try:
        with transaction.atomic():
            Membership.objects.create(
                person=head,
                household=household,
                relation=codes.RELATION_HEAD,
                started_on=since,
                county_code=household.county_code,
            )
    except IntegrityError as exc:
        raise DomainError(f"{head.name} 已属于其他家庭", field="person") from exc
    _write(
        actor=actor,
        action="registry.household.create",
        summary=f"新建家庭，户主 {head.name}",
        obj=household,
        region_code=region.code,
        old={"head": None, "address": None, "region": None},
        new={"head": head.name, "address": household.address, "region": region.name},
        household_id=household.pk,
        person=head,
    )
    return household


@transaction.atomic
def household_update(
    *, actor: Any, household: Household, version: int, changes: Mapping[str, Any]
) -> Household:
    """Edit a household's address or village (``changes`` keys: address, region)."""
    _require_edit(actor)
    unknown = set(changes) - {"address", "region"}
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    _require_own(actor, household.region_id)
    current: Household = _lock(household)
    _check_version(current, version)
    old = {"address": current.address, "region": current.region.name}
    audit_old = {
        "address": current.address,
        "region": current.region_id,
        "version": current.version,
    }
    if "address" in changes:
        current.address = str(changes["address"] or "").strip()[:200]
    if "region" in changes:
        region = _village(actor, str(changes["region"]))
        current.region = region
        current.county_code = region.code[:6]
    new = {"address": current.address, "region": current.region.name}
    if old == new:
        return current
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        action="registry.household.update",
        obj=current,
        region_code=current.region_id,
        changes=audit.diff(
            audit_old,
            {"address": current.address, "region": current.region_id, "version": current.version},
        ),
    )
    ChangeEntry.objects.create(
        household=current,
        actor=actor,
        actor_name=_actor_name(actor),
        action="registry.household.update",
        summary="修改家庭信息",
        changes=_history_rows(old, new, Household),
        object_type="household",
        object_id=current.pk,
        version=current.version,
        county_code=current.county_code,
    )
    return current


@transaction.atomic
def member_add(
    *,
    actor: Any,
    household: Household,
    person: Person,
    relation: str,
    living_together: bool = True,
    started_on: dt.date | str | None = None,
) -> Membership:
    """Add a person to a household. Refused for deceased or moved-out persons and for
    persons who belong to another household (use :func:`member_move`)."""
    _require_edit(actor)
    _require_own(actor, household.region_id)
    household = _lock(household)
    person = _lock(person)
    _check_joinable(actor, person, household)
    relation = _check_code(CodeTable.RELATION, relation, "relation", "与户主关系")
    if relation in (codes.RELATION_HEAD, "01"):
        raise DomainError("每户只有一名户主；请选择与户主的关系", field="relation")
    since = _as_date(started_on, "起始日期", "started_on") or _today()
    if since < person.birth_date:
        raise DomainError("起始日期不能早于出生日期", field="started_on")
    try:
        with transaction.atomic():
            m = Membership.objects.create(
                person=person,
                household=household,
                relation=relation,
                living_together=living_together,
                started_on=since,
                county_code=household.county_code,
            )
    except IntegrityError as exc:
        raise DomainError(f"{person.name} 已属于其他家庭", field="person") from exc
    Household.objects.filter(pk=household.pk).update(member_count=F("member_count") + 1)
    _write(
        actor=actor,
        action="registry.member.add",
        summary=f"{person.name} 加入本户（{codes.label(CodeTable.RELATION, relation)}）",
        obj=m,
        region_code=household.region_id,
        old={"person": None, "relation": None, "living_together": None, "started_on": None},
        new={
            "person": person.name,
            "relation": relation,
            "living_together": living_together,
            "started_on": since,
        },
        household_id=household.pk,
        person=person,
    )
    hooks.changed(actor=actor, subject=household, what=f"{person.name} 加入本户")
    return m


@transaction.atomic
def member_move(
    *,
    actor: Any,
    person: Person,
    to_household: Household,
    relation: str,
    moved_on: dt.date | str | None = None,
    living_together: bool = True,
    reason: str = "迁入其他家庭",
) -> Membership:
    """Move a person to another household: the old membership ends (history is kept) and a
    new one starts on ``moved_on``."""
    _require_edit(actor)
    _require_own(actor, to_household.region_id)
    _require_own(actor, person.region_id)
    person = _lock(person)
    to_household = _lock(to_household)
    if not person.is_living:
        raise DomainError(
            f"{person.name} 状态为“{person.get_status_display()}”，不能迁移", field="person"
        )
    old_m = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("household__head", "household__region")
        .filter(person=person, ended_on__isnull=True)
        .first()
    )
    if old_m is None:
        raise DomainError(f"{person.name} 目前不属于任何家庭，请直接添加为成员", field="person")
    if old_m.household_id == to_household.pk:
        raise DomainError(f"{person.name} 已是本户成员", field="person")
    _require_own(actor, old_m.household.region_id)
    if old_m.household.head_id == person.pk and old_m.household.member_count > 1:
        raise DomainError(
            f"{person.name} 是{_household_label(old_m.household)}的户主，且该户还有其他成员；请先变更该户户主",
            field="person",
        )
    relation = _check_code(CodeTable.RELATION, relation, "relation", "与户主关系")
    if relation in (codes.RELATION_HEAD, "01"):
        raise DomainError("每户只有一名户主；请选择与户主的关系", field="relation")
    when = _as_date(moved_on, "迁移日期", "started_on") or _today()
    if when < old_m.started_on:
        raise DomainError(
            f"迁移日期不能早于原家庭成员关系的起始日期 {old_m.started_on.isoformat()}",
            field="started_on",
        )
    old_m.ended_on = when
    old_m.end_reason = reason[:100]
    old_m.save(update_fields=["ended_on", "end_reason"])
    Household.objects.filter(pk=old_m.household_id, member_count__gt=0).update(
        member_count=F("member_count") - 1
    )
    new_m = Membership.objects.create(
        person=person,
        household=to_household,
        relation=relation,
        living_together=living_together,
        started_on=when,
        county_code=to_household.county_code,
    )
    Household.objects.filter(pk=to_household.pk).update(member_count=F("member_count") + 1)
    old_label, new_label = _household_label(old_m.household), _household_label(to_household)
    audit.record(
        actor=actor,
        action="registry.member.move",
        obj=person,
        region_code=to_household.region_id,
        changes={"household": [str(old_m.household.public_id), str(to_household.public_id)]},
        detail={"ended_membership": old_m.pk, "new_membership": new_m.pk},
    )
    for hid, summary in (
        (old_m.household_id, f"{person.name} 迁出本户，迁入{new_label}"),
        (to_household.pk, f"{person.name} 由{old_label}迁入本户"),
    ):
        ChangeEntry.objects.create(
            household_id=hid,
            person=person,
            actor=actor,
            actor_name=_actor_name(actor),
            action="registry.member.move",
            summary=summary,
            changes=[["家庭", old_label, new_label], ["迁移日期", "", when.isoformat()]],
            object_type="membership",
            object_id=new_m.pk,
            county_code=to_household.county_code,
        )
    return new_m


@transaction.atomic
def member_end(
    *, actor: Any, membership: Membership, ended_on: dt.date | str, reason: str
) -> Membership:
    """End a membership (the person leaves the household without joining another)."""
    _require_edit(actor)
    m = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("household", "person")
        .get(pk=membership.pk)
    )
    _require_own(actor, m.household.region_id)
    if m.ended_on is not None:
        raise DomainError("该成员关系已终止")
    if m.household.head_id == m.person_id and m.household.member_count > 1:
        raise DomainError("户主不能直接移出，请先变更户主")
    when = _as_date(ended_on, "终止日期", "ended_on") or _today()
    if when < m.started_on:
        raise DomainError("终止日期不能早于起始日期", field="ended_on")
    if not (reason or "").strip():
        raise DomainError("请填写移出原因", field="end_reason")
    old = {"ended_on": None, "end_reason": ""}
    m.ended_on, m.end_reason = when, reason.strip()[:100]
    m.save(update_fields=["ended_on", "end_reason"])
    Household.objects.filter(pk=m.household_id, member_count__gt=0).update(
        member_count=F("member_count") - 1
    )
    _write(
        actor=actor,
        action="registry.member.end",
        summary=f"{m.person.name} 移出本户：{m.end_reason}",
        obj=m,
        region_code=m.household.region_id,
        old=old,
        new={"ended_on": when, "end_reason": m.end_reason},
        household_id=m.household_id,
        person=m.person,
    )
    hooks.changed(actor=actor, subject=m.household, what=f"{m.person.name} 移出本户")
    return m


@transaction.atomic
def household_change_head(
    *,
    actor: Any,
    household: Household,
    new_head: Person,
    old_head_relation: str = "",
    other_relations: Mapping[int, str] | None = None,
    version: int,
) -> Household:
    """Make another current, living member the head of the household (户主变更).

    The new head's membership is relabelled 02 户主; the old head, when still a current
    member, gets ``old_head_relation`` (his or her relation to the new head, GB/T 4761).
    When the old head has left the household (deceased, moved out, moved to another
    household) only the new head is relabelled. ``other_relations`` (person pk → code)
    relabels other current members to the new head (the old head's wife becomes the new
    head's mother); members not named keep their relation. The memberships keep their dates; the change
    is one history entry on the household and one audit event, with the household's version
    incremented, so a concurrent edit based on the old version is refused.
    """
    _require_edit(actor)
    _require_own(actor, household.region_id)
    current: Household = _lock(household)
    _check_version(current, version)
    person = _lock(new_head)
    if current.head_id == person.pk:
        raise DomainError(f"{person.name} 已是本户户主", field="new_head")
    if person.status == Person.Status.DECEASED:
        raise DomainError(f"{person.name} 已故，不能成为户主", field="new_head")
    if person.status == Person.Status.MOVED_OUT:
        raise DomainError(f"{person.name} 已迁出，不能成为户主", field="new_head")
    memberships = {
        m.person_id: m
        for m in Membership.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(household=current, ended_on__isnull=True)
    }
    new_m = memberships.get(person.pk)
    if new_m is None:
        raise DomainError(
            f"{person.name} 不是本户现有成员，不能成为户主；请先将其添加或迁入本户",
            field="new_head",
        )
    old_head = current.head
    old_m = memberships.get(current.head_id) if current.head_id else None
    relation = ""
    if old_m is not None:
        relation = _check_code(
            CodeTable.RELATION, old_head_relation, "old_head_relation", "原户主与新户主的关系"
        )
        if relation in (codes.RELATION_HEAD, "01"):
            raise DomainError(
                "每户只有一名户主；请选择原户主与新户主的关系", field="old_head_relation"
            )
    old_head_name = old_head.name if old_head is not None else "（无）"
    relabelled = [(person, new_m, codes.RELATION_HEAD)]
    if old_m is not None and old_head is not None:  # the old head is still a member
        relabelled.append((old_head, old_m, relation))
    for pk, code in (other_relations or {}).items():
        if pk in (person.pk, current.head_id):
            continue  # relabelled above
        m = memberships.get(pk)
        if m is None:
            raise DomainError(
                "所选人员中有人已不是本户现有成员，请刷新页面后重新填写", field="relations"
            )
        code = _check_code(CodeTable.RELATION, code, "relations", f"{m.person.name}与户主的关系")
        if code in (codes.RELATION_HEAD, "01"):
            raise DomainError(
                f"每户只有一名户主；请选择{m.person.name}与新户主的关系", field="relations"
            )
        if code != m.relation:
            relabelled.append((m.person, m, code))
    rows = [["户主", old_head_name, person.name]]
    relations: dict[str, list[str]] = {}
    for who, m, code in relabelled:
        rows.append(
            [
                f"{who.name} 与户主关系",
                codes.label(CodeTable.RELATION, m.relation),
                codes.label(CodeTable.RELATION, code),
            ]
        )
        relations[str(who.public_id)] = [m.relation, code]
        m.relation = code
        m.save(update_fields=["relation"])
    current.head = person
    current.version += 1
    current.save(update_fields=["head", "version", "updated_at"])
    audit.record(
        actor=actor,
        action="registry.household.change_head",
        obj=current,
        region_code=current.region_id,
        changes={
            "head": [str(old_head.public_id) if old_head else None, str(person.public_id)],
            "version": [current.version - 1, current.version],
        },
        detail={"relations": relations},
    )
    ChangeEntry.objects.create(
        household=current,
        person=person,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        action="registry.household.change_head",
        summary=f"户主由 {old_head_name} 变更为 {person.name}",
        changes=rows,
        object_type="household",
        object_id=current.pk,
        version=current.version,
        county_code=current.county_code,
    )
    return current


# --- incomes ----------------------------------------------------------------------------------


def _check_member_person(household: Household, person: Person | None) -> None:
    if person is None:
        return
    if not Membership.objects.filter(household=household, person=person).exists():
        raise DomainError(f"{person.name} 不是本户成员", field="person")


def _check_amount(value: Any, field: str, label: str) -> int:
    try:
        amount = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"{label}应为整数（单位：分）", field=field) from exc
    if amount < 0:
        raise DomainError(f"{label}不能为负数", field=field)
    return amount


def _check_period(
    started: dt.date | None, ended: dt.date | None, person: Person | None, *, required: bool = True
) -> None:
    if required and started is None:
        raise DomainError("请填写起始日期", field="started_on")
    if started and ended and ended < started:
        raise DomainError("终止日期不能早于起始日期", field="ended_on")
    if person is not None and started is not None:
        if started < person.birth_date:
            raise DomainError(
                f"起始日期不能早于 {person.name} 的出生日期 {person.birth_date.isoformat()}",
                field="started_on",
            )
        if person.died_on and started > person.died_on:
            raise DomainError(
                f"起始日期不能晚于 {person.name} 的死亡日期 {person.died_on.isoformat()}",
                field="started_on",
            )


INCOME_FIELDS = (
    "person",
    "category",
    "monthly_amount_fen",
    "started_on",
    "ended_on",
    "source",
    "note",
)


def _income_snapshot(i: IncomeItem) -> dict[str, Any]:
    snap = audit.snapshot(i, [f for f in INCOME_FIELDS if f != "person"])
    snap["person"] = i.person.name if i.person_id and i.person else ""
    snap["version"] = i.version
    return snap


@transaction.atomic
def income_add(
    *,
    actor: Any,
    household: Household,
    category: str,
    monthly_amount_fen: int,
    started_on: dt.date | str,
    ended_on: dt.date | str | None = None,
    source: str = "declared",
    person: Person | None = None,
    note: str = "",
) -> IncomeItem:
    _require_edit(actor)
    _require_own(actor, household.region_id)
    if category not in IncomeItem.Category.values:
        raise DomainError("请选择收入类别", field="category")
    if source not in Source.values:
        raise DomainError("请选择收入来源", field="source")
    amount = _check_amount(monthly_amount_fen, "monthly_amount_fen", "月收入")
    start = _as_date(started_on, "起始日期", "started_on")
    end = _as_date(ended_on, "终止日期", "ended_on")
    _check_member_person(household, person)
    _check_period(start, end, person)
    assert start is not None  # _check_period requires a start date
    item = IncomeItem.objects.create(
        household=household,
        person=person,
        category=category,
        monthly_amount_fen=amount,
        started_on=start,
        ended_on=end,
        source=source,
        note=(note or "").strip()[:200],
        county_code=household.county_code,
    )
    empty = dict.fromkeys(INCOME_FIELDS)
    _write(
        actor=actor,
        action="registry.income.add",
        summary=f"新增收入：{item.get_category_display()} {fen_text(amount)}/月",
        obj=item,
        region_code=household.region_id,
        old=empty,
        new=_income_snapshot(item),
        household_id=household.pk,
        person=person,
    )
    hooks.changed(actor=actor, subject=household, what=f"新增收入：{item.get_category_display()}")
    return item


@transaction.atomic
def income_update(
    *, actor: Any, income: IncomeItem, version: int, changes: Mapping[str, Any]
) -> IncomeItem:
    """Edit an income row (``changes`` keys: category, monthly_amount_fen, started_on,
    ended_on, source, note, person)."""
    _require_edit(actor)
    unknown = set(changes) - set(INCOME_FIELDS)
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    household = Household.objects.get(pk=income.household_id)
    _require_own(actor, household.region_id)
    current: IncomeItem = _lock(income)
    _check_version(current, version)
    old = _income_snapshot(current)
    started_on: dt.date | None = current.started_on  # may be cleared; _check_period refuses that
    if "category" in changes:
        if changes["category"] not in IncomeItem.Category.values:
            raise DomainError("请选择收入类别", field="category")
        current.category = changes["category"]
    if "source" in changes:
        if changes["source"] not in Source.values:
            raise DomainError("请选择收入来源", field="source")
        current.source = changes["source"]
    if "monthly_amount_fen" in changes:
        current.monthly_amount_fen = _check_amount(
            changes["monthly_amount_fen"], "monthly_amount_fen", "月收入"
        )
    if "started_on" in changes:
        started_on = _as_date(changes["started_on"], "起始日期", "started_on")
    if "ended_on" in changes:
        current.ended_on = _as_date(changes["ended_on"], "终止日期", "ended_on")
    if "note" in changes:
        current.note = str(changes["note"] or "").strip()[:200]
    if "person" in changes:
        _check_member_person(household, changes["person"])
        current.person = changes["person"]
    _check_period(started_on, current.ended_on, current.person)
    assert started_on is not None  # _check_period requires a start date
    current.started_on = started_on
    new = _income_snapshot(current)
    if {k: v for k, v in old.items() if k != "version"} == {
        k: v for k, v in new.items() if k != "version"
    }:
        return current
    current.version += 1
    current.save()
    _write(
        actor=actor,
        action="registry.income.update",
        summary=f"修改收入：{current.get_category_display()}",
        obj=current,
        region_code=household.region_id,
        old=old,
        new=_income_snapshot(current),
        household_id=household.pk,
        person=current.person,
    )
    hooks.changed(
        actor=actor, subject=household, what=f"修改收入：{current.get_category_display()}"
    )
    return current


@transaction.atomic
def income_delete(*, actor: Any, income: IncomeItem, version: int) -> None:
    _require_edit(actor)
    household = Household.objects.get(pk=income.household_id)
    _require_own(actor, household.region_id)
    current: IncomeItem = _lock(income)
    _check_version(current, version)
    old = _income_snapshot(current)
    current_pk, person = current.pk, current.person
    _write(
        actor=actor,
        action="registry.income.delete",
        summary=f"删除收入：{current.get_category_display()} {fen_text(current.monthly_amount_fen)}/月",
        obj=current,
        region_code=household.region_id,
        old=old,
        new=dict.fromkeys(INCOME_FIELDS),
        household_id=household.pk,
        person=person,
    )
    IncomeItem.objects.filter(pk=current_pk).delete()
    hooks.changed(actor=actor, subject=household, what="删除收入")


# --- assets -----------------------------------------------------------------------------------

ASSET_FIELDS = ("person", "kind", "description", "value_fen", "count", "source")


def _asset_snapshot(a: Asset) -> dict[str, Any]:
    snap = audit.snapshot(a, [f for f in ASSET_FIELDS if f != "person"])
    snap["person"] = a.person.name if a.person_id and a.person else ""
    snap["version"] = a.version
    return snap


def _apply_asset(asset: Asset, household: Household, values: Mapping[str, Any]) -> None:
    if "kind" in values:
        if values["kind"] not in Asset.Kind.values:
            raise DomainError("请选择财产类型", field="kind")
        asset.kind = values["kind"]
    if "value_fen" in values:
        asset.value_fen = _check_amount(values["value_fen"], "value_fen", "价值")
    if "count" in values:
        asset.count = _check_amount(values["count"], "count", "数量")
    if "description" in values:
        asset.description = str(values["description"] or "").strip()[:200]
    if "source" in values:
        if values["source"] not in Source.values:
            raise DomainError("请选择来源", field="source")
        asset.source = values["source"]
    if "person" in values:
        _check_member_person(household, values["person"])
        asset.person = values["person"]


@transaction.atomic
def asset_add(
    *,
    actor: Any,
    household: Household,
    kind: str,
    value_fen: int,
    count: int = 1,
    description: str = "",
    source: str = "declared",
    person: Person | None = None,
) -> Asset:
    _require_edit(actor)
    _require_own(actor, household.region_id)
    asset = Asset(household=household, county_code=household.county_code)
    _apply_asset(
        asset,
        household,
        {
            "kind": kind,
            "value_fen": value_fen,
            "count": count,
            "description": description,
            "source": source,
            "person": person,
        },
    )
    asset.save()
    _write(
        actor=actor,
        action="registry.asset.add",
        summary=f"新增财产：{asset.get_kind_display()} {fen_text(asset.value_fen)}",
        obj=asset,
        region_code=household.region_id,
        old=dict.fromkeys(ASSET_FIELDS),
        new=_asset_snapshot(asset),
        household_id=household.pk,
        person=person,
    )
    return asset


@transaction.atomic
def asset_update(*, actor: Any, asset: Asset, version: int, changes: Mapping[str, Any]) -> Asset:
    _require_edit(actor)
    unknown = set(changes) - set(ASSET_FIELDS)
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    household = Household.objects.get(pk=asset.household_id)
    _require_own(actor, household.region_id)
    current: Asset = _lock(asset)
    _check_version(current, version)
    old = _asset_snapshot(current)
    _apply_asset(current, household, changes)
    if {k: v for k, v in old.items() if k != "version"} == {
        k: v for k, v in _asset_snapshot(current).items() if k != "version"
    }:
        return current
    current.version += 1
    current.save()
    _write(
        actor=actor,
        action="registry.asset.update",
        summary=f"修改财产：{current.get_kind_display()}",
        obj=current,
        region_code=household.region_id,
        old=old,
        new=_asset_snapshot(current),
        household_id=household.pk,
        person=current.person,
    )
    return current


@transaction.atomic
def asset_delete(*, actor: Any, asset: Asset, version: int) -> None:
    _require_edit(actor)
    household = Household.objects.get(pk=asset.household_id)
    _require_own(actor, household.region_id)
    current: Asset = _lock(asset)
    _check_version(current, version)
    _write(
        actor=actor,
        action="registry.asset.delete",
        summary=f"删除财产：{current.get_kind_display()} {fen_text(current.value_fen)}",
        obj=current,
        region_code=household.region_id,
        old=_asset_snapshot(current),
        new=dict.fromkeys(ASSET_FIELDS),
        household_id=household.pk,
        person=current.person,
    )
    Asset.objects.filter(pk=current.pk).delete()


# --- disabilities, health, employment ---------------------------------------------------------

DISABILITY_FIELDS = ("certificate_number", "category", "grade", "issued_on", "valid_until")


def _disability_snapshot(d: Disability) -> dict[str, Any]:
    snap = audit.snapshot(d, DISABILITY_FIELDS)
    snap["version"] = d.version
    return snap


def _apply_disability(d: Disability, person: Person, values: Mapping[str, Any]) -> None:
    if "category" in values:
        d.category = _check_code(
            CodeTable.DISABILITY_CATEGORY, str(values["category"]), "category", "残疾类别"
        )
    if "grade" in values:
        try:
            grade = int(values["grade"])
        except (TypeError, ValueError) as exc:
            raise DomainError("残疾等级应为一级至四级", field="grade") from exc
        if not 1 <= grade <= 4:
            raise DomainError("残疾等级应为一级至四级", field="grade")
        d.grade = grade
    if "certificate_number" in values:
        number = "".join(str(values["certificate_number"] or "").split()).upper()
        if len(number) > 30:
            raise DomainError("残疾人证号不能超过30位", field="certificate_number")
        d.certificate_number = Protected("id", number) if number else None
    if "issued_on" in values:
        d.issued_on = _as_date(values["issued_on"], "发证日期", "issued_on")
    if "valid_until" in values:
        d.valid_until = _as_date(values["valid_until"], "有效期", "valid_until")
    if d.issued_on and d.issued_on < person.birth_date:
        raise DomainError("发证日期不能早于出生日期", field="issued_on")
    if d.issued_on and d.valid_until and d.valid_until < d.issued_on:
        raise DomainError("有效期不能早于发证日期", field="valid_until")


@transaction.atomic
def disability_add(
    *,
    actor: Any,
    person: Person,
    category: str,
    grade: int,
    certificate_number: str = "",
    issued_on: dt.date | str | None = None,
    valid_until: dt.date | str | None = None,
) -> Disability:
    _require_edit(actor)
    _require_own(actor, person.region_id)
    d = Disability(person=person, county_code=person.county_code)
    _apply_disability(
        d,
        person,
        {
            "category": category,
            "grade": grade,
            "certificate_number": certificate_number,
            "issued_on": issued_on,
            "valid_until": valid_until,
        },
    )
    d.save()
    _write(
        actor=actor,
        action="registry.disability.add",
        summary=f"{person.name} 新增残疾信息：{codes.label(CodeTable.DISABILITY_CATEGORY, d.category)}{d.grade_label}",
        obj=d,
        region_code=person.region_id,
        old=dict.fromkeys(DISABILITY_FIELDS),
        new=_disability_snapshot(d),
        household_id=_current_household_id(person),
        person=person,
    )
    return d


@transaction.atomic
def disability_update(
    *, actor: Any, disability: Disability, version: int, changes: Mapping[str, Any]
) -> Disability:
    _require_edit(actor)
    unknown = set(changes) - set(DISABILITY_FIELDS)
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    person = Person.objects.get(pk=disability.person_id)
    _require_own(actor, person.region_id)
    current: Disability = _lock(disability)
    _check_version(current, version)
    old = _disability_snapshot(current)
    _apply_disability(current, person, changes)
    if {k: v for k, v in old.items() if k != "version"} == {
        k: v for k, v in _disability_snapshot(current).items() if k != "version"
    }:
        return current
    current.version += 1
    current.save()
    _write(
        actor=actor,
        action="registry.disability.update",
        summary=f"修改 {person.name} 的残疾信息",
        obj=current,
        region_code=person.region_id,
        old=old,
        new=_disability_snapshot(current),
        household_id=_current_household_id(person),
        person=person,
    )
    return current


@transaction.atomic
def disability_delete(*, actor: Any, disability: Disability, version: int) -> None:
    _require_edit(actor)
    person = Person.objects.get(pk=disability.person_id)
    _require_own(actor, person.region_id)
    current: Disability = _lock(disability)
    _check_version(current, version)
    _write(
        actor=actor,
        action="registry.disability.delete",
        summary=f"删除 {person.name} 的残疾信息",
        obj=current,
        region_code=person.region_id,
        old=_disability_snapshot(current),
        new=dict.fromkeys(DISABILITY_FIELDS),
        household_id=_current_household_id(person),
        person=person,
    )
    Disability.objects.filter(pk=current.pk).delete()


@transaction.atomic
def health_condition_add(
    *,
    actor: Any,
    person: Person,
    description: str,
    serious_illness: bool = False,
    diagnosed_on: dt.date | str | None = None,
) -> HealthCondition:
    _require_edit(actor)
    _require_own(actor, person.region_id)
    description = (description or "").strip()
    if not description:
        raise DomainError("请填写病情说明", field="description")
    when = _as_date(diagnosed_on, "确诊日期", "diagnosed_on")
    if when and (when < person.birth_date or when > _today()):
        raise DomainError("确诊日期应在出生日期与今天之间", field="diagnosed_on")
    h = HealthCondition.objects.create(
        person=person,
        description=description[:200],
        serious_illness=serious_illness,
        diagnosed_on=when,
        county_code=person.county_code,
    )
    fields = ("description", "serious_illness", "diagnosed_on")
    _write(
        actor=actor,
        action="registry.health.add",
        summary=f"{person.name} 新增健康状况",
        obj=h,
        region_code=person.region_id,
        old=dict.fromkeys(fields),
        new=audit.snapshot(h, fields),
        household_id=_current_household_id(person),
        person=person,
    )
    return h


@transaction.atomic
def employment_add(
    *,
    actor: Any,
    person: Person,
    work_ability: str,
    status: str,
    employer: str = "",
    started_on: dt.date | str | None = None,
    ended_on: dt.date | str | None = None,
) -> Employment:
    _require_edit(actor)
    _require_own(actor, person.region_id)
    if work_ability not in Employment.WorkAbility.values:
        raise DomainError("请选择劳动能力", field="work_ability")
    if status not in Employment.Status.values:
        raise DomainError("请选择就业状况", field="status")
    start = _as_date(started_on, "起始日期", "started_on")
    end = _as_date(ended_on, "终止日期", "ended_on")
    _check_period(start, end, person, required=False)
    e = Employment.objects.create(
        person=person,
        work_ability=work_ability,
        status=status,
        employer=(employer or "").strip()[:100],
        started_on=start,
        ended_on=end,
        county_code=person.county_code,
    )
    fields = ("work_ability", "status", "employer", "started_on", "ended_on")
    _write(
        actor=actor,
        action="registry.employment.add",
        summary=f"{person.name}：{e.get_work_ability_display()}，{e.get_status_display()}",
        obj=e,
        region_code=person.region_id,
        old=dict.fromkeys(fields),
        new=audit.snapshot(e, fields),
        household_id=_current_household_id(person),
        person=person,
    )
    hooks.changed(actor=actor, subject=person, what=f"就业状况变为“{e.get_status_display()}”")
    return e


# --- situations (服刑在押, 羁押, 强制隔离戒毒, 限制人身自由, 失联, 宣告失踪) ------------------------

SITUATION_FIELDS = ("kind", "since", "until", "basis")
#: kinds whose start date must be known: how long the person has been out of contact is the
#: fact the 事实无人抚养儿童 rules weigh (民发〔2019〕62号 一)
SITUATION_START_REQUIRED = (Situation.Kind.LOST_CONTACT, Situation.Kind.DECLARED_MISSING)


def _situation_period(s: Situation) -> str:
    """The period as the pages word it, in Chinese whatever the page's language: for audit
    summaries and refusals, which are Chinese throughout."""
    with translation.override("zh-hans"):
        return s.period_text(ended=situation_ended(s))


def _situation_summary(person: Person, s: Situation) -> str:
    return f"{person.name}：{s.get_kind_display()}（{_situation_period(s)}）"


def situation_ended(situation: Situation, today: dt.date | None = None) -> bool:
    """Ended: its end date has come. A future ``until`` is only the expected end (a sentence
    not yet served), so the situation can still be ended earlier (减刑, 提前解除)."""
    return situation.until is not None and situation.until <= (today or _today())


def _overlapping_situation(
    person: Person, kind: str, since: dt.date | None, until: dt.date | None
) -> Situation | None:
    """A situation of the same kind whose period meets ``since``–``until`` (an unknown start
    reaches back indefinitely, an open end forward)."""
    qs = Situation.objects.filter(person=person, kind=kind)
    if until is not None:
        qs = qs.filter(models.Q(since__isnull=True) | models.Q(since__lte=until))
    if since is not None:
        qs = qs.filter(models.Q(until__isnull=True) | models.Q(until__gte=since))
    return qs.order_by("since", "id").first()


@transaction.atomic
def situation_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    basis: str = "",
) -> Situation:
    """Record a period in which ``person`` cannot care for their children. ``until`` may be a
    future date (the expected end, such as a sentence's end) or empty while open."""
    _require_edit(actor)
    _require_own(actor, person.region_id)
    if kind not in Situation.Kind.values:
        raise DomainError("请选择特殊情形", field="kind")
    start = _as_date(since, "起始日期", "since")
    end = _as_date(until, "结束日期", "until")
    today = _today()
    if start is None and kind in SITUATION_START_REQUIRED:
        raise DomainError("请填写失联（宣告失踪）的起始日期", field="since")
    if start is not None:
        if start < person.birth_date:
            raise DomainError(
                f"起始日期不能早于 {person.name} 的出生日期 {person.birth_date.isoformat()}",
                field="since",
            )
        if start > today:
            raise DomainError("起始日期不能晚于今天", field="since")
    if end is not None:
        if start is not None and end < start:
            raise DomainError("结束日期不能早于起始日期", field="until")
        if end < person.birth_date:
            raise DomainError(
                f"结束日期不能早于 {person.name} 的出生日期 {person.birth_date.isoformat()}",
                field="until",
            )
    basis = " ".join((basis or "").split())
    if len(basis) > 100:
        raise DomainError("证明材料不能超过100个字", field="basis")
    # one add at a time per person, so two clerks cannot both pass the overlap check
    _lock(person)
    other = _overlapping_situation(person, kind, start, end)
    if other is not None:
        raise DomainError(
            f"{person.name} 已登记“{other.get_kind_display()}”"
            f"（{_situation_period(other)}），与本次填写的期间重叠，"
            "不能重复登记；如情形已结束，请先登记原记录的结束日期",
            field="kind",
        )
    s = Situation.objects.create(
        person=person,
        kind=kind,
        since=start,
        until=end,
        basis=basis,
        county_code=person.county_code,
    )
    _write(
        actor=actor,
        action="registry.situation.add",
        summary=f"新增特殊情形：{_situation_summary(person, s)}",
        obj=s,
        region_code=person.region_id,
        old=dict.fromkeys(SITUATION_FIELDS),
        new=audit.snapshot(s, SITUATION_FIELDS),
        household_id=_current_household_id(person),
        person=person,
    )
    # a member in prison or in rehabilitation no longer counts for the household's 低保,
    # and a parent's situation is what a 事实无人抚养儿童 rests on
    hooks.situation_changed(
        actor=actor, person=person, what=f"登记特殊情形“{s.get_kind_display()}”"
    )
    return s


@transaction.atomic
def situation_end(*, actor: Any, situation: Situation, until: dt.date | str | None) -> Situation:
    """The situation ended on ``until`` (刑满释放, 解除强制隔离戒毒, 恢复联系 …): a date that
    has come, not before the start. Refused when it has already ended, so a second click
    changes nothing."""
    _require_edit(actor)
    person = Person.objects.get(pk=situation.person_id)
    _require_own(actor, person.region_id)
    end = _as_date(until, "结束日期", "until")
    if end is None:
        raise DomainError("请填写结束日期", field="until")
    current: Situation = _lock(situation)
    today = _today()
    if current.until is not None and current.until <= today:
        raise DomainError(
            f"{person.name} 的“{current.get_kind_display()}”已于 "
            f"{current.until.isoformat()} 结束，不能再次登记结束",
            field="until",
        )
    if end > today:
        raise DomainError("结束日期不能晚于今天；预计的结束日期请在登记时填写", field="until")
    if current.since is not None and end < current.since:
        raise DomainError(f"结束日期不能早于起始日期 {current.since.isoformat()}", field="until")
    old = audit.snapshot(current, SITUATION_FIELDS)
    current.until = end
    current.save(update_fields=["until", "updated_at"])
    _write(
        actor=actor,
        action="registry.situation.end",
        summary=f"特殊情形结束：{_situation_summary(person, current)}",
        obj=current,
        region_code=person.region_id,
        old=old,
        new=audit.snapshot(current, SITUATION_FIELDS),
        household_id=_current_household_id(person),
        person=person,
    )
    hooks.situation_changed(
        actor=actor, person=person, what=f"特殊情形“{current.get_kind_display()}”结束"
    )
    return current


@transaction.atomic
def situation_delete(*, actor: Any, situation: Situation) -> None:
    """Remove a situation entered by mistake; the audit event and the history keep it."""
    _require_edit(actor)
    person = Person.objects.get(pk=situation.person_id)
    _require_own(actor, person.region_id)
    current = Situation.objects.select_for_update().filter(pk=situation.pk).first()
    if current is None:
        raise DomainError("该特殊情形记录已被删除，请刷新页面")
    _write(
        actor=actor,
        action="registry.situation.delete",
        summary=f"删除特殊情形：{_situation_summary(person, current)}",
        obj=current,
        region_code=person.region_id,
        old=audit.snapshot(current, SITUATION_FIELDS),
        new=dict.fromkeys(SITUATION_FIELDS),
        household_id=_current_household_id(person),
        person=person,
    )
    current.delete()
    hooks.situation_changed(actor=actor, person=person, what="删除特殊情形")


# --- documents --------------------------------------------------------------------------------


def sniff_file_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None if not allowed."""
    for magic, content_type, ext in FILE_SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    household: Household,
    upload: UploadedFile,
    title: str,
    person: Person | None = None,
) -> Document:
    """Store a pdf/jpg/png (≤ 10 MB, type checked from the content) under MEDIA_ROOT."""
    _require_edit(actor)
    _require_own(actor, household.region_id)
    title = (title or "").strip() or (upload.name or "")[:100]
    if not title:
        raise DomainError("请填写材料名称", field="title")
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 10 MB", field="file"
        )
    if size == 0:
        raise DomainError("文件是空的", field="file")
    upload.seek(0)
    head = upload.read(16)
    sniffed = sniff_file_type(head)
    if sniffed is None:
        raise DomainError("只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）", field="file")
    content_type, ext = sniffed
    suffix = PurePosixPath(upload.name or "").suffix.lower()
    if suffix and suffix not in ALLOWED_SUFFIXES[ext]:
        raise DomainError(
            f"文件扩展名 {suffix} 与文件内容（{ext.upper()}）不符，请检查后重新上传", field="file"
        )
    _check_member_person(household, person)
    upload.seek(0)
    digest = hashlib.sha256()
    data = bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        data.extend(chunk)
        if len(data) > MAX_UPLOAD_BYTES:
            raise DomainError("单个文件不能超过 10 MB", field="file")
    doc = Document(
        household=household,
        person=person,
        title=title[:100],
        original_name=PurePosixPath(upload.name or "file").name[:200],
        content_type=content_type,
        size=len(data),
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        county_code=household.county_code,
    )
    # stored under a random name: the uploader's file name never reaches the file system
    doc.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(bytes(data)), save=False)
    doc.save()
    _write(
        actor=actor,
        action="registry.document.upload",
        summary=f"上传材料：{doc.title}",
        obj=doc,
        region_code=household.region_id,
        old={"title": None},
        new={"title": doc.title},
        household_id=household.pk,
        person=person,
        detail={"size": doc.size, "content_type": content_type, "sha256": doc.sha256},
    )
    return doc


def document_opened(*, actor: Any, document: Document) -> None:
    """Audit that a user opened an uploaded document (documents carry personal data)."""
    require_perm(actor, Perm.REGISTRY_VIEW)
    _require_own(actor, document.household.region_id)
    audit.record(
        actor=actor,
        action="registry.document.open",
        obj=document,
        region_code=document.household.region_id,
        detail={"title": document.title},
    )
