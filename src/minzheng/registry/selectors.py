"""Reads of the social registry, every one limited to the user's region subtree.

Look-ups by public id go through ``accounts.scoping.get_scoped``: a record in another region
is answered exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minzheng.accounts.scoping import get_scoped, scope
from minzheng.core.fields import index_value
from minzheng.core.idnumber import IdNumberError, normalize, normalize_phone, parse_resident_id
from minzheng.geo.models import Region

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
    Situation,
)
from .pinyin import (
    KIND_FULL,
    KIND_INITIALS,
    KIND_NAME,
    next_prefix,
    normalize_name,
    normalize_query,
)

AGED_YEARS = 80
#: rows on the search page: enough to pick one person from; at the limit the page asks for a
#: fuller query ("zs" alone matches thousands of keys in a county), and every row shown costs
#: the page its share of building and rendering (see bench/bench_registry_search.py)
SEARCH_LIMIT = 20
#: the order of the covering index on the search keys, so a key range is read in index order
SEARCH_KEY_ORDER = ("key", "region_code", "kind", "person_id")
#: what the search result table shows of a person (everything else stays in the database)
SEARCH_ROW_FIELDS = (
    "public_id",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "status",
    "region__name",
    "region__parent__name",
)
HISTORY_LIMIT = 100
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ID_LIKE = re.compile(r"^(\d{15}|\d{17}[\dX])$")
_PHONE_LIKE = re.compile(r"^[\d\-+()（） ]{7,}$")
_PINYIN_LIKE = re.compile(r"^[a-zA-Z\s'’üÜ]+$")


def years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def aged_cutoff(today: dt.date | None = None) -> dt.date:
    """Persons born on or before this date are 80 or older."""
    return years_ago(today or timezone.localdate(), AGED_YEARS)


def age_on(birth: dt.date, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- regions ----------------------------------------------------------------------------------


def villages_for_user(user: Any) -> QuerySet[Region]:
    """Villages and communities the user may register persons and households in."""
    return (
        scope(
            Region.objects.filter(level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY]),
            user,
            via="code",
        )
        .select_related("parent")
        .order_by("code")
    )


# --- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # id | phone | name | pinyin | empty
    text: str


def classify_query(raw: str) -> SearchQuery:
    text = (raw or "").strip()
    if not text:
        return SearchQuery("empty", "")
    compact = normalize(text)
    if _ID_LIKE.match(compact):
        return SearchQuery("id", compact)
    if _PHONE_LIKE.match(text):
        try:
            return SearchQuery("phone", normalize_phone(text))
        except IdNumberError:
            return SearchQuery("phone", "")
    if _HAN.search(text):
        return SearchQuery("name", normalize_name(text).lower())
    if _PINYIN_LIKE.match(text):
        return SearchQuery("pinyin", normalize_query(text))
    return SearchQuery("name", normalize_name(text).lower())


def person_ids_matching(user: Any, raw: str, *, limit: int = SEARCH_LIMIT) -> list[int]:
    """Ids of persons in the user's region matching one search box entry.

    An ID number or a phone number is looked up exactly through its blind index; Chinese text
    matches any part of the name; Latin letters match the start of the full pinyin or of the
    initials of any reading of the name. Each is one indexed look-up.
    """
    q = classify_query(raw)
    persons = scope(Person.objects.all(), user, via="region__code")
    if q.kind == "id":
        number = q.text
        if len(number) == 15:
            try:
                number = parse_resident_id(number).number
            except IdNumberError:
                return []
        return list(
            persons.filter(id_number_index=index_value("id", number)).values_list("pk", flat=True)[
                :1
            ]
        )
    if q.kind == "phone":
        if not q.text:
            return []
        return list(
            persons.filter(phone_index=index_value("phone", q.text)).values_list("pk", flat=True)[
                :limit
            ]
        )
    if q.kind in ("name", "pinyin") and q.text:
        kinds = [KIND_NAME] if q.kind == "name" else [KIND_FULL, KIND_INITIALS]
        key = q.text[:64]
        keys = scope(
            PersonSearchKey.objects.filter(key__gte=key, key__lt=next_prefix(key), kind__in=kinds),
            user,
            via="region_code",
        ).order_by(*SEARCH_KEY_ORDER)
        return _first_distinct(keys.values_list("person_id", flat=True), limit)
    return []


def _first_distinct(person_ids: QuerySet[Any, int], limit: int) -> list[int]:
    """The first ``limit`` distinct ids of an ordered key range, read in small slices.

    ``DISTINCT ... LIMIT`` would make the database collect every matching key before the
    limit applies (tens of thousands for ``zs`` in a county); read in the covering index's
    order, the database stops after a slice. A person has several keys under one prefix
    only for names with several readings, so one slice is nearly always enough.
    """
    found: dict[int, None] = {}
    batch = limit * 2
    start = 0
    while len(found) < limit:
        rows = list(person_ids[start : start + batch])
        found.update(dict.fromkeys(rows))
        if len(rows) < batch:
            break
        start += batch
    return list(found)[:limit]


def _current_membership_prefetch() -> Prefetch:
    """Each result's current household, as the result table shows it: its public id, the
    head's name and the person's relation to the head, nothing more (no personal data of
    the head to decrypt)."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(ended_on__isnull=True)
        .select_related("household__head")
        .only("person_id", "relation", "household__public_id", "household__head__name"),
        to_attr="current_memberships",
    )


def person_search(user: Any, raw: str, *, limit: int = SEARCH_LIMIT) -> list[Person]:
    """The search page's rows: at most ``limit`` persons with the fields the result table
    shows (the ID number, shown masked, is the one decrypted value), their village and town,
    and their current household."""
    ids = person_ids_matching(user, raw, limit=limit)
    if not ids:
        return []
    return list(
        scope(Person.objects.filter(pk__in=ids), user, via="region__code")
        .select_related("region__parent")
        .only(*SEARCH_ROW_FIELDS)
        .prefetch_related(_current_membership_prefetch())
        .order_by("name", "pk")
    )


# --- households -------------------------------------------------------------------------------

SORTS = {
    "village": ("region_id", "id"),
    "head": ("head__name", "id"),
    "size": ("member_count", "id"),
    "-size": ("-member_count", "id"),
    "new": ("-created_at", "-id"),
}
SIZE_CHOICES = (
    ("1", _("1人")),
    ("2", _("2人")),
    ("3", _("3人")),
    ("4", _("4人")),
    ("5+", _("5人及以上")),
)


def _has_disabled() -> Exists:
    return Exists(
        Disability.objects.filter(
            person__memberships__household=OuterRef("pk"),
            person__memberships__ended_on__isnull=True,
        )
    )


def _has_aged(cutoff: dt.date) -> Exists:
    return Exists(
        Membership.objects.filter(
            household=OuterRef("pk"),
            ended_on__isnull=True,
            person__birth_date__lte=cutoff,
            person__status=Person.Status.LIVING,
        )
    )


def _open_enrollments(programme: str) -> QuerySet[Any]:
    """Households' open enrollments in a programme. The registry does not import the
    assistance app (dependencies point inward); it reads its table through the app registry."""
    enrollment = apps.get_model("assistance", "Enrollment")
    return enrollment.objects.filter(programme=programme, end_month__isnull=True)


def programme_choices() -> list[tuple[str, str]]:
    field = apps.get_model("assistance", "Enrollment")._meta.get_field("programme")
    return list(getattr(field, "choices", None) or [])


def households_for_user(
    user: Any,
    *,
    village: str = "",
    size: str = "",
    has_disabled: bool = False,
    aged: bool = False,
    q: str = "",
    sort: str = "village",
    programme: str = "",
) -> QuerySet[Household]:
    cutoff = aged_cutoff()
    qs = scope(Household.objects.all(), user, via="region__code")
    if village:
        qs = qs.filter(region__code__startswith=village)
    if size == "5+":
        qs = qs.filter(member_count__gte=5)
    elif size.isdigit():
        qs = qs.filter(member_count=int(size))
    if has_disabled:
        qs = qs.filter(_has_disabled())
    if aged:
        qs = qs.filter(_has_aged(cutoff))
    if programme:
        qs = qs.filter(Exists(_open_enrollments(programme).filter(household=OuterRef("pk"))))
    if q.strip():
        ids = person_ids_matching(user, q, limit=500)
        qs = qs.filter(
            Exists(
                Membership.objects.filter(
                    household=OuterRef("pk"), ended_on__isnull=True, person_id__in=ids
                )
            )
        )
    return (
        qs.select_related("head", "region__parent")
        .annotate(has_disabled=_has_disabled(), has_aged=_has_aged(cutoff))
        .order_by(*SORTS.get(sort, SORTS["village"]))
    )


def household_for_user(user: Any, public_id: Any) -> Household:
    return get_scoped(
        Household.objects.select_related("head", "region__parent"),
        user,
        via="region__code",
        public_id=public_id,
    )


def person_for_user(user: Any, public_id: Any) -> Person:
    return get_scoped(
        Person.objects.select_related("region__parent"),
        user,
        via="region__code",
        public_id=public_id,
    )


def income_for_user(user: Any, public_id: Any) -> IncomeItem:
    return get_scoped(
        IncomeItem.objects.select_related("household", "person"),
        user,
        via="household__region__code",
        public_id=public_id,
    )


def asset_for_user(user: Any, public_id: Any) -> Asset:
    return get_scoped(
        Asset.objects.select_related("household", "person"),
        user,
        via="household__region__code",
        public_id=public_id,
    )


def disability_for_user(user: Any, public_id: Any) -> Disability:
    return get_scoped(
        Disability.objects.select_related("person"),
        user,
        via="person__region__code",
        public_id=public_id,
    )


def situation_for_user(user: Any, public_id: Any) -> Situation:
    return get_scoped(
        Situation.objects.select_related("person"),
        user,
        via="person__region__code",
        public_id=public_id,
    )


def document_for_user(user: Any, public_id: Any) -> Document:
    return get_scoped(
        Document.objects.select_related("household"),
        user,
        via="household__region__code",
        public_id=public_id,
    )


def current_household_of(person: Person) -> Household | None:
    m = (
        Membership.objects.filter(person=person, ended_on__isnull=True)
        .select_related("household__head", "household__region")
        .first()
    )
    return m.household if m else None


@dataclass(frozen=True)
class SituationRow:
    """A situation as the household page shows it: in force today, ended, or yet to come."""

    situation: Situation
    in_force: bool
    ended: bool

    @property
    def period(self) -> str:
        return self.situation.period_text(ended=self.ended)


@dataclass
class MemberRow:
    membership: Membership
    person: Person
    age: int
    disabilities: list[Disability]
    health: list[HealthCondition]
    employment: Employment | None
    situations: list[SituationRow]


def household_page(household: Household) -> dict[str, Any]:
    """Everything the household page shows, in a fixed number of queries (no per-member
    look-ups): members with their person facts, incomes, assets, documents and history."""
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(household=household)
        .select_related("person__region")
        .order_by("ended_on", "relation", "started_on", "id")
    )
    person_ids = [m.person_id for m in memberships]
    disabilities: dict[int, list[Disability]] = {}
    for d in Disability.objects.filter(person_id__in=person_ids).order_by("grade", "id"):
        disabilities.setdefault(d.person_id, []).append(d)
    health: dict[int, list[HealthCondition]] = {}
    for h in HealthCondition.objects.filter(person_id__in=person_ids).order_by(
        "-serious_illness", "id"
    ):
        health.setdefault(h.person_id, []).append(h)
    employment: dict[int, Employment] = {}
    for e in Employment.objects.filter(person_id__in=person_ids, ended_on__isnull=True).order_by(
        "started_on", "id"
    ):
        employment[e.person_id] = e  # the latest open record wins
    situations: dict[int, list[SituationRow]] = {}
    for s in Situation.objects.filter(person_id__in=person_ids).order_by(
        "person_id", F("since").desc(nulls_last=True), "id"
    ):
        situations.setdefault(s.person_id, []).append(
            SituationRow(
                situation=s,
                in_force=s.in_force(today),
                ended=s.until is not None and s.until <= today,
            )
        )
    rows = [
        MemberRow(
            membership=m,
            person=m.person,
            age=age_on(m.person.birth_date, m.person.died_on or today),
            disabilities=disabilities.get(m.person_id, []),
            health=health.get(m.person_id, []),
            employment=employment.get(m.person_id),
            # in force first, then the latest start
            situations=sorted(situations.get(m.person_id, []), key=lambda r: not r.in_force),
        )
        for m in memberships
    ]
    incomes = list(
        IncomeItem.objects.filter(household=household)
        .select_related("person")
        .order_by("-started_on", "id")
    )
    current_incomes = [i for i in incomes if i.ended_on is None or i.ended_on >= today]
    return {
        "members": [r for r in rows if r.membership.ended_on is None],
        "former_members": [r for r in rows if r.membership.ended_on is not None],
        "incomes": incomes,
        "monthly_income_fen": sum(
            i.monthly_amount_fen for i in current_incomes if i.started_on <= today
        ),
        "assets": list(Asset.objects.filter(household=household).select_related("person")),
        "documents": list(
            Document.objects.filter(household=household).select_related("uploaded_by", "person")
        ),
        "history": list(ChangeEntry.objects.filter(household=household)[:HISTORY_LIMIT]),
    }


def person_history(person: Person) -> QuerySet[ChangeEntry]:
    return ChangeEntry.objects.filter(person=person)


def current_members(household: Household) -> list[Person]:
    """The persons currently in the household, head first."""
    return [
        m.person
        for m in Membership.objects.filter(household=household, ended_on__isnull=True)
        .select_related("person")
        .order_by("relation", "started_on", "id")
    ]


def current_memberships(household: Household) -> list[Membership]:
    """The household's current memberships with their persons, head first."""
    return list(
        Membership.objects.filter(household=household, ended_on__isnull=True)
        .select_related("person")
        .order_by("relation", "started_on", "id")
    )


def person_by_id_number(user: Any, raw: str) -> Person | None:
    """The person with this exact ID number in the user's region, or None."""
    try:
        number = parse_resident_id(raw).number
    except IdNumberError:
        return None
    return (
        scope(Person.objects.all(), user, via="region__code")
        .filter(id_number_index=index_value("id", number))
        .first()
    )
