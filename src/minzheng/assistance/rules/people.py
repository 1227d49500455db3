"""Facts about one person: age, disability, self-care, the month arithmetic of birthdays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..inputs import LABELS, Person

#: 审核确认办法 第7条第2款(一): religious clergy living apart for three years or more.
CLERGY_APART_YEARS = 3
#: 民法典 第17条: adulthood at 18.
ADULT_AGE = 18


def birthday_in(birth: date, year: int) -> date:
    """The birthday in ``year``; 29 February falls on 1 March in a common year."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def date_of_age(birth: date, years: int) -> date:
    """The day the person reaches ``years`` 周岁."""
    return birthday_in(birth, birth.year + years)


def age_on(birth: date, day: date) -> int:
    """Full years (周岁) on ``day``, the birthday itself counting as reached."""
    age = day.year - birth.year
    if day < birthday_in(birth, day.year):
        age -= 1
    return age


def add_years(day: date, years: int) -> date:
    return birthday_in(day, day.year + years)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later; the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return add_months(month_start(day), 1)


def month_text(day: date) -> str:
    return f"{day.year}年{day.month}月"


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day number)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def who(person: Person, index: int | None = None, group: str = "members") -> str:
    """How a person is named in explanations: ``张三（配偶）`` or ``members[2]（配偶）``."""
    relation = LABELS["relation"][person.relation]
    name = person.name or (f"{group}[{index}]" if index is not None else "")
    return f"{name}（{relation}）" if name else relation


def disability_text(person: Person) -> str:
    d = person.disability
    if d is None:
        return "无残疾人证"
    grades = "一二三四"
    return f"{LABELS['disability_category'][d.category]}{grades[d.grade - 1]}级"


def has_certificate(person: Person) -> bool:
    return person.disability is not None and person.disability.certificate


def is_severe_disability_dibao(person: Person) -> bool:
    """审核确认办法 第8条 / 特困认定办法 第8条: grade 1–2, or 智力/精神 grade 3."""
    d = person.disability
    if d is None or not d.certificate:
        return False
    return d.grade <= 2 or (d.category in {"intellectual", "mental"} and d.grade == 3)


def is_severe_disability_children(person: Person) -> bool:
    """民发〔2019〕62号: grade 1–2, or 精神/智力 grade 3–4."""
    d = person.disability
    if d is None or not d.certificate:
        return False
    return d.grade <= 2 or d.category in {"intellectual", "mental"}


SelfCareLevel = Literal["self", "partial", "full"]
SELF_CARE_LABELS: dict[SelfCareLevel, str] = {
    "self": "全自理",
    "partial": "半护理",
    "full": "全护理",
}
#: 特困认定办法 第22条: four or more of the six items not achieved = 完全丧失.
FULL_LOSS_MIN_ITEMS = 4


@dataclass(frozen=True)
class SelfCare:
    level: SelfCareLevel
    failed: int

    @property
    def label(self) -> str:
        return SELF_CARE_LABELS[self.level]


def self_care(person: Person) -> SelfCare:
    """特困认定办法 第22条: 0 items failed 全自理; 1–3 半护理; 4 or more 全护理."""
    failed = len(set(person.self_care_failed))
    if failed == 0:
        return SelfCare("self", 0)
    if failed < FULL_LOSS_MIN_ITEMS:
        return SelfCare("partial", failed)
    return SelfCare("full", failed)


def benefit_fen(person: Person, kind: str) -> int:
    return sum(b.monthly_fen for b in person.benefits if b.type == kind)


def receives(person: Person, kind: str) -> bool:
    return any(b.type == kind for b in person.benefits)
