"""Likely duplicate persons (疑似重复登记): the report, merge (reversible) and dismiss.

Three signs, each read with set-based queries inside the user's region:

* ``name_birth``: the same name and birth date, in different households;
* ``phone``: the same phone number (blind index) in different households;
* ``id_15_18``: a number stored in its old 15-digit form and the 18-digit form of the same
  number. A 15-character number encrypts to a shorter ciphertext than an 18-character one, so
  the few 15-digit numbers are found by ciphertext length, decrypted, upgraded and looked up
  by blind index — no other number is decrypted.

Merging keeps one record and retires the other without deleting anything: the duplicate's
facts (disability, health, employment, income, assets, documents) move to the kept person,
its current membership ends (or moves to the kept person, when that one has none), its search
keys go, and it is marked 已迁出 on the day of the merge. Everything needed to undo — which
rows moved, the membership as it was, the search keys, the old status — is kept in the
``registry.person_merge`` audit event, and ``persons_merge_undo`` replays it backwards.
A dismissed group (``registry.duplicate_dismiss``) no longer shows in the report.

(The registry model has no "merged" status or merge table yet; see the model notes in the
data-work report. Until then the audit trail is the merge journal.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_noop

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import get_scoped, require_perm, scope
from minzheng.core import audit, crypto
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours
from minzheng.core.fields import index_value
from minzheng.core.idnumber import IdNumberError, parse_resident_id
from minzheng.core.masking import Protected
from minzheng.core.models import AuditEvent

from .models import (
    Asset,
    ChangeEntry,
    Disability,
    Document,
    Employment,
    HealthCondition,
    Household,
    IncomeItem,
    Membership,
    Person,
    PersonSearchKey,
)
from .services import household_recount

KIND_NAME_BIRTH = "name_birth"
KIND_PHONE = "phone"
KIND_ID_15_18 = "id_15_18"
#: kept in Chinese (the reason goes into the audit record); translated where shown
KINDS = {
    KIND_NAME_BIRTH: gettext_noop("姓名和出生日期相同，登记在不同家庭"),
    KIND_PHONE: gettext_noop("联系电话相同，登记在不同家庭"),
    KIND_ID_15_18: gettext_noop("15位与18位身份证号码为同一号码"),
}
#: models whose rows follow a person when two records are merged
FACT_MODELS: tuple[type[Any], ...] = (
    Disability,
    HealthCondition,
    Employment,
    IncomeItem,
    Asset,
    Document,
)
ACTION_MERGE = "registry.person_merge"
ACTION_UNDO = "registry.person_merge_undo"
ACTION_DISMISS = "registry.duplicate_dismiss"
_CHUNK = 500


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str
    persons: tuple[Person, ...]

    @property
    def reason(self) -> str:
        return KINDS[self.kind]

    @property
    def key(self) -> str:
        """Stable name of this group, used to dismiss it."""
        return f"{self.kind}:" + ",".join(sorted(str(p.public_id) for p in self.persons))


# --- the report ------------------------------------------------------------------------------


def _current_households(person_ids: Iterable[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    ids = list(person_ids)
    for i in range(0, len(ids), _CHUNK):
        out.update(
            Membership.objects.filter(
                person_id__in=ids[i : i + _CHUNK], ended_on__isnull=True
            ).values_list("person_id", "household_id")
        )
    return out


def _in_different_households(persons: list[Person], households: dict[int, int]) -> bool:
    homes = {households.get(p.pk, -p.pk) for p in persons}  # no household counts as its own
    return len(homes) > 1


def _grouped(scoped: QuerySet[Person], fields: tuple[str, ...], kind: str) -> list[DuplicateGroup]:
    keys = list(
        scoped.exclude(**{f"{fields[0]}__isnull": True})
        .values(*fields)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list(*fields)
    )
    groups: dict[tuple[Any, ...], list[Person]] = defaultdict(list)
    for i in range(0, len(keys), _CHUNK):
        q = Q()
        for values in keys[i : i + _CHUNK]:
            q |= Q(**dict(zip(fields, values, strict=True)))
        for p in scoped.filter(q).order_by("pk"):
            groups[tuple(getattr(p, f) for f in fields)].append(p)
    households = _current_households(p.pk for members in groups.values() for p in members)
    return [
        DuplicateGroup(kind, tuple(members))
        for members in groups.values()
        if _in_different_households(members, households)
    ]


@lru_cache(maxsize=1)
def _ciphertext_length_of_15() -> int:
    return len(crypto.encrypt("0" * 15))


def _id_15_18(scoped: QuerySet[Person]) -> list[DuplicateGroup]:
    old = list(scoped.annotate(n=Length("id_number")).filter(n=_ciphertext_length_of_15()))
    wanted: dict[str, Person] = {}
    for p in old:
        protected = cast(Protected, p.id_number)  # the field gives a Protected value
        try:
            number = parse_resident_id(protected.reveal()).number
        except IdNumberError:
            continue
        index = index_value("id", number)
        if index:
            wanted[index] = p
    groups = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = list(wanted)[i : i + _CHUNK]
        for twin in scoped.filter(id_number_index__in=chunk):
            groups.append(DuplicateGroup(KIND_ID_15_18, (wanted[twin.id_number_index], twin)))
    return groups


def _dismissed_keys() -> set[str]:
    return {
        d.get("key", "")
        for d in AuditEvent.objects.filter(
            action=ACTION_DISMISS, outcome=AuditEvent.Outcome.SUCCESS
        ).values_list("detail", flat=True)
    }


def duplicate_candidates(
    user: Any, *, kinds: Iterable[str] | None = None, include_dismissed: bool = False
) -> list[DuplicateGroup]:
    """Likely duplicates among the living persons of the user's region."""
    scoped = scope(Person.objects.filter(status=Person.Status.LIVING), user)
    wanted = set(kinds or KINDS)
    out: list[DuplicateGroup] = []
    if KIND_ID_15_18 in wanted:
        out += _id_15_18(scoped)
    if KIND_NAME_BIRTH in wanted:
        out += _grouped(scoped, ("name", "birth_date"), KIND_NAME_BIRTH)
    if KIND_PHONE in wanted:
        out += _grouped(scoped, ("phone_index",), KIND_PHONE)
    if not include_dismissed:
        dismissed = _dismissed_keys()
        out = [g for g in out if g.key not in dismissed]
    return out


# --- services ---------------------------------------------------------------------------------


def _history(
    actor: Any, person: Person, household_id: int | None, summary: str, changes: list[list[Any]]
) -> None:
    ChangeEntry.objects.create(
        household_id=household_id,
        person=person,
        actor=actor,
        actor_name=str(actor)[:150],
        action="merge",
        summary=summary[:200],
        changes=changes,
        object_type="registry.person",
        object_id=person.pk,
        version=person.version,
        county_code=person.county_code,
    )


def _scoped_person(actor: Any, public_id: Any) -> Person:
    return get_scoped(Person.objects.select_for_update(), actor, public_id=public_id)


@transaction.atomic
def persons_merge(*, actor: Any, keep: Any, duplicate: Any, reason: str = "") -> AuditEvent:
    """Retire ``duplicate`` (public id) into ``keep``; returns the audit event (undo handle)."""
    require_perm(actor, Perm.REGISTRY_EDIT)
    kept = _scoped_person(actor, keep)
    dup = _scoped_person(actor, duplicate)
    if kept.pk == dup.pk:
        raise DomainError("不能把一个人与自己合并")
    if dup.status != Person.Status.LIVING or kept.status != Person.Status.LIVING:
        raise DomainError("只能合并状态为“健在”的人员")
    today = timezone.localdate()
    moved = {}
    for model in FACT_MODELS:
        ids = list(model.objects.filter(person=dup).values_list("id", flat=True))
        if ids:
            model.objects.filter(id__in=ids).update(person=kept)
            moved[model._meta.label_lower] = ids
    dup_m = (
        Membership.objects.filter(person=dup, ended_on__isnull=True)
        .select_related("household")
        .first()
    )
    kept_m = Membership.objects.filter(person=kept, ended_on__isnull=True).first()
    membership: dict[str, Any] = {}
    if dup_m is not None:
        household = dup_m.household
        membership = {
            "id": dup_m.pk,
            "household": household.pk,
            "head": household.head_id == dup.pk,
        }
        if kept_m is None:  # the kept record takes over the duplicate's place
            Membership.objects.filter(pk=dup_m.pk).update(person=kept)
            if household.head_id == dup.pk:
                Household.objects.filter(pk=household.pk).update(head=kept)
            membership["action"] = "moved"
        else:
            others = Membership.objects.filter(household=household, ended_on__isnull=True).exclude(
                pk=dup_m.pk
            )
            if household.head_id == dup.pk and others.exists():
                raise DomainError(f"{dup.name}是户主且户内还有其他成员，请先变更户主后再合并")
            Membership.objects.filter(pk=dup_m.pk).update(
                ended_on=max(today, dup_m.started_on),
                end_reason=f"重复登记，已并入{kept.name}"[:100],
            )
            membership["action"] = "ended"
        household_recount([household.pk])
    keys = list(
        PersonSearchKey.objects.filter(person=dup).values_list("key", "kind", "region_code")
    )
    PersonSearchKey.objects.filter(person=dup).delete()
    previous = {"status": dup.status, "moved_out_on": None, "version": dup.version}
    Person.objects.filter(pk=dup.pk).update(
        status=Person.Status.MOVED_OUT,
        moved_out_on=today,
        version=dup.version + 1,
        updated_at=timezone.now(),
    )
    summary = f"合并重复登记：{dup.name}（{dup.id_number}）并入{kept.name}（{kept.id_number}）"
    _history(
        actor, kept, kept_m.household_id if kept_m else membership.get("household"), summary, []
    )
    dup.version += 1
    _history(
        actor, dup, membership.get("household"), summary, [["状态", "健在", "已迁出（重复登记）"]]
    )
    return audit.record(
        actor=actor,
        action=ACTION_MERGE,
        obj=kept,
        object_repr=summary,
        region_code=kept.region_id,
        detail={
            "keep": kept.pk,
            "duplicate": dup.pk,
            "reason": reason,
            "moved": moved,
            "membership": membership,
            "search_keys": [list(k) for k in keys],
            "previous": previous,
            "merged_on": today.isoformat(),
        },
    )


@transaction.atomic
def persons_merge_undo(*, actor: Any, merge_seq: int) -> AuditEvent:
    """Reverse the merge recorded in audit event ``merge_seq``."""
    require_perm(actor, Perm.REGISTRY_EDIT)
    event = AuditEvent.objects.filter(
        seq=merge_seq, action=ACTION_MERGE, outcome=AuditEvent.Outcome.SUCCESS
    ).first()
    if event is None:
        raise NotFoundOrNotYours()
    if AuditEvent.objects.filter(action=ACTION_UNDO, detail__merge_seq=merge_seq).exists():
        raise DomainError("这次合并已经撤销过了")
    d = event.detail
    kept = get_scoped(Person.objects.select_for_update(), actor, pk=d["keep"])
    dup = get_scoped(Person.objects.select_for_update(), actor, pk=d["duplicate"])
    if dup.status != Person.Status.MOVED_OUT:
        raise DomainError("被合并的人员状态已改变，无法自动撤销，请人工处理")
    for label, ids in d["moved"].items():
        model = next(m for m in FACT_MODELS if m._meta.label_lower == label)
        model.objects.filter(id__in=ids, person=kept).update(person=dup)
    m = d.get("membership") or {}
    if m:
        if m["action"] == "moved":
            Membership.objects.filter(pk=m["id"], person=kept).update(person=dup)
            if m["head"]:
                Household.objects.filter(pk=m["household"], head=kept).update(head=dup)
        else:
            Membership.objects.filter(pk=m["id"], person=dup).update(ended_on=None, end_reason="")
        household_recount([m["household"]])
    PersonSearchKey.objects.bulk_create(
        [
            PersonSearchKey(person=dup, key=k, kind=kind, region_code=region)
            for k, kind, region in d["search_keys"]
        ],
        ignore_conflicts=True,
    )
    prev = d["previous"]
    Person.objects.filter(pk=dup.pk).update(
        status=prev["status"],
        moved_out_on=prev["moved_out_on"],
        version=dup.version + 1,
        updated_at=timezone.now(),
    )
    dup.version += 1
    summary = f"撤销合并：{dup.name} 恢复为独立登记"
    _history(actor, dup, m.get("household"), summary, [["状态", "已迁出（重复登记）", "健在"]])
    return audit.record(
        actor=actor,
        action=ACTION_UNDO,
        obj=kept,
        object_repr=summary,
        region_code=kept.region_id,
        detail={"merge_seq": merge_seq, "keep": kept.pk, "duplicate": dup.pk},
    )


@transaction.atomic
def duplicate_dismiss(*, actor: Any, group: DuplicateGroup, reason: str) -> AuditEvent:
    """Record that a group is not a duplicate, so the report stops showing it."""
    require_perm(actor, Perm.REGISTRY_EDIT)
    if not reason.strip():
        raise DomainError("请说明为什么不是重复登记", field="reason")
    for p in group.persons:
        get_scoped(Person.objects.all(), actor, pk=p.pk)
    return audit.record(
        actor=actor,
        action=ACTION_DISMISS,
        object_type="registry.person",
        object_id=str(group.persons[0].public_id),
        object_repr=f"排除疑似重复：{'、'.join(p.name for p in group.persons)}",
        region_code=group.persons[0].region_id,
        detail={"key": group.key, "kind": group.kind, "reason": reason.strip()[:200]},
    )
