"""The synthetic county: a realistic, entirely invented population of 当涂县 for demos and
benchmarks (``minzheng generate --persons N --seed S``; the demo calls ``generate_county``).

Everything is drawn from one ``random.Random(seed)``, so a seed and a reference date give the
same persons, households, ID numbers, names and facts every time (ciphertexts differ: each
encryption takes a fresh nonce). The distributions are documented in
``docs/synthetic-county.md``; the tables below are the single place they are set.

Writing goes through :mod:`.bulkload` in chunks of households, each chunk in its own
transaction, followed by the chunk's facts (employment, income, disability, health); one
audit event records the whole run.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from minzheng.core import audit
from minzheng.core.exceptions import DomainError
from minzheng.core.idnumber import check_char
from minzheng.geo.models import Region

from .bulkload import NewHousehold, NewPerson, insert_rows, write_households
from .codes import RELATION_HEAD, SEX_FEMALE, SEX_MALE
from .models import (
    Disability,
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

Progress = Callable[[int, int], None]
COUNTY = "340521"
CHUNK_PERSONS = 5000
INCOME_HISTORY_YEARS = 4
ORPHANED_SHARE = 0.06  # skipped-generation households whose children lost both parents
# skipped-generation households whose parents are members but cannot care for the children
# (in prison, in compulsory rehabilitation, lost contact): 事实无人抚养儿童
UNSUPPORTED_SHARE = 0.08
SITUATION_BASIS = {
    "imprisoned": "刑事判决书（模拟）",
    "compulsory_detox": "强制隔离戒毒决定书（模拟）",
    "lost_contact": "派出所出具的失联证明（模拟）",
}

# --- names --------------------------------------------------------------------------------
# Common surnames with rough weights (national frequency, Anhui's own order at the top).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 80),
    ("张", 75),
    ("李", 70),
    ("陈", 60),
    ("刘", 50),
    ("杨", 32),
    ("吴", 30),
    ("徐", 28),
    ("周", 26),
    ("孙", 24),
    ("朱", 24),
    ("胡", 22),
    ("黄", 20),
    ("汪", 18),
    ("陶", 16),
    ("丁", 14),
    ("马", 14),
    ("许", 13),
    ("何", 12),
    ("高", 12),
    ("郭", 11),
    ("方", 11),
    ("程", 11),
    ("余", 10),
    ("钱", 10),
    ("江", 10),
    ("戴", 9),
    ("夏", 9),
    ("谢", 9),
    ("宋", 8),
    ("唐", 8),
    ("韩", 8),
    ("姚", 8),
    ("沈", 8),
    ("鲁", 7),
    ("潘", 7),
    ("葛", 7),
    ("魏", 7),
    ("曹", 7),
    ("袁", 6),
    ("邓", 6),
    ("彭", 6),
    ("蒋", 6),
    ("蔡", 6),
    ("杜", 6),
    ("叶", 6),
    ("苏", 5),
    ("吕", 5),
    ("任", 5),
    ("卢", 5),
    ("姜", 5),
    ("崔", 4),
    ("陆", 5),
    ("范", 4),
    ("金", 4),
    ("石", 4),
    ("贾", 4),
    ("秦", 4),
    ("邱", 4),
    ("尹", 3),
    ("薛", 3),
    ("段", 3),
    ("雷", 3),
    ("侯", 3),
    ("史", 3),
    ("顾", 3),
    ("毛", 3),
    ("龚", 3),
    ("邵", 3),
    ("万", 3),
    ("严", 3),
    ("武", 3),
    ("孔", 2),
    ("汤", 3),
    ("俞", 3),
    ("章", 3),
    ("储", 2),
    ("查", 2),
    ("曾", 2),
    ("解", 1),
    ("单", 1),
    ("仇", 1),
    ("盛", 2),
    ("凌", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("诸葛", 1),
)
# given-name characters by generation and sex (born ≤ 1965, 1966-1990, ≥ 1991)
GIVEN_CHARS: dict[tuple[str, str], str] = {
    ("old", SEX_MALE): "国建明华德福金春长永生富贵宝有志学文光荣兴发忠林海山成清正顺友和根水兵",
    ("old", SEX_FEMALE): "秀英兰芳桂珍凤梅花玉琴云霞翠娟菊香莲美荣淑素巧银金爱",
    ("mid", SEX_MALE): "伟强军勇杰涛斌磊鹏辉刚波峰健亮俊明超华东林平宏飞龙昌振",
    ("mid", SEX_FEMALE): "丽娟静敏燕艳玲红霞芳莉萍婷雪琳慧丹洁颖晶敏青晓",
    ("new", SEX_MALE): "浩宇轩子博文俊杰泽睿辰然一诺鑫航豪凯晨阳宸铭皓逸",
    ("new", SEX_FEMALE): "梓欣怡涵萱琪雨佳思可馨悦彤诗语嘉雅婧妍琳若汐",
}
SINGLE_GIVEN_SHARE = {"old": 0.30, "mid": 0.30, "new": 0.15}

# --- ID numbers ---------------------------------------------------------------------------
#: address codes of ID numbers: the county, its neighbours (people who moved in) and codes
#: that are not in the region table (older codes) and so carry the "unknown address" warning
ID_PREFIXES: tuple[tuple[str, float], ...] = (
    (COUNTY, 0.965),
    ("340503", 0.006),
    ("340504", 0.006),
    ("340506", 0.004),
    ("340522", 0.004),
    ("340523", 0.005),
    ("340502", 0.005),
    ("342521", 0.005),
)

# --- households ---------------------------------------------------------------------------
#: household type → weight (rural villages, urban communities)
HOUSEHOLD_TYPES: dict[str, tuple[float, float]] = {
    "elderly_single": (14, 10),
    "elderly_couple": (19, 15),
    "nuclear": (22, 36),
    "three_generation": (27, 17),
    "middle_couple": (11, 11),
    "single_adult": (6, 11),
    "skipped_generation": (3, 1),
}
#: region weight: a community of the county seat, another community, a village
REGION_WEIGHT = {"seat_community": 3.0, "community": 1.3, "village": 1.0}
URBAN_HUKOU_SHARE = {"community": 0.85, "village": 0.05}
LEFT_BEHIND_SHARE = {"rural": 0.35, "urban": 0.05}  # 3-generation households with children < 16
WORK_AWAY_PLACES = (
    "江苏省南京市",
    "江苏省苏州市",
    "江苏省无锡市",
    "浙江省杭州市",
    "浙江省宁波市",
    "上海市",
    "安徽省合肥市",
    "安徽省芜湖市",
    "广东省东莞市",
)

# --- disability (GB/T 26341), by age band: prevalence among certificate holders -----------
DISABILITY_PREVALENCE = ((15, 0.012), (60, 0.04), (80, 0.12), (200, 0.22))
DISABILITY_CATEGORIES = (  # category code, weight (2006 national sample survey, rounded)
    ("4", 29),
    ("2", 24),
    ("7", 16),
    ("1", 15),
    ("6", 7),
    ("5", 7),
    ("3", 2),
)
DISABILITY_GRADES = ((1, 12), (2, 22), (3, 30), (4, 36))
SERIOUS_ILLNESSES = (
    "恶性肿瘤",
    "尿毒症（透析）",
    "重度精神障碍",
    "慢性心力衰竭",
    "白血病",
    "脑卒中后遗症",
)


@dataclass
class GenerateResult:
    persons: int
    households: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Village:
    code: str
    name: str
    town: str
    kind: str  # seat_community | community | village


@dataclass
class _Person:
    """A planned person plus the facts written after the person exists."""

    new: NewPerson
    age: int
    works_away: bool = False
    employment: tuple[str, str, str] | None = None  # work ability, status, employer
    income: tuple[str, int, str] | None = None  # category, monthly fen, note
    disability: tuple[str, int, date] | None = None  # category, grade, issued on
    illness: tuple[str, date] | None = None  # description, diagnosed on
    situation: tuple[str, date, date | None] | None = None  # kind, since, until


def _weighted(rng: random.Random, items: Sequence[tuple[object, float]]) -> object:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


class CountyGenerator:
    """Plans households one by one from a seeded random source."""

    def __init__(
        self,
        seed: int,
        *,
        as_of: date,
        villages: list[_Village],
        known_prefixes: dict[str, tuple[date | None, date | None]],
    ):
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by seed)
        self.as_of = as_of
        self.villages = villages
        self.village_weights = [REGION_WEIGHT[v.kind] for v in villages]
        self.known_prefixes = known_prefixes
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.counts: Counter[str] = Counter()
        self._surnames = [s for s, _ in SURNAMES]
        self._surname_w = [w for _, w in SURNAMES]
        self._cum_surname_w = list(_accumulate(self._surname_w))

    # --- primitives -----------------------------------------------------------------------
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._cum_surname_w)[0]

    def given(self, sex: str, birth_year: int) -> str:
        era = "old" if birth_year <= 1965 else "mid" if birth_year <= 1990 else "new"
        chars = GIVEN_CHARS[(era, sex)]
        if self.rng.random() < SINGLE_GIVEN_SHARE[era]:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def birth_date(self, age: int) -> date:
        """A birth date giving exactly ``age`` full years on the reference date."""
        latest = _years_before(self.as_of, age)
        earliest = _years_before(self.as_of, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth: date, sex: str) -> tuple[str, list[str]]:
        prefix = str(_weighted(self.rng, ID_PREFIXES))
        for _ in range(50):
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == SEX_MALE else 0)
            first17 = f"{prefix}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number, self.id_warnings(prefix, birth)
        raise DomainError("身份证号码顺序码用尽（同一天出生人数过多）")

    def id_warnings(self, prefix: str, birth: date) -> list[str]:
        span = self.known_prefixes.get(prefix)
        if span is None:
            self.counts["id_unknown_prefix"] += 1
            return [f"地址码 {prefix} 不在本系统的行政区划表中（可能是旧区划代码），请核对"]
        valid_from, valid_to = span
        if valid_to and birth > valid_to:
            return [f"地址码 {prefix} 已于 {valid_to.isoformat()} 撤销，晚于撤销后出生，请核对"]
        if valid_from and birth < valid_from:
            return [f"地址码 {prefix} 自 {valid_from.isoformat()} 起启用，早于其启用前出生，请核对"]
        return []

    def phone(self) -> str:
        while True:
            number = self.rng.choice(
                (
                    "139",
                    "138",
                    "136",
                    "135",
                    "150",
                    "151",
                    "152",
                    "155",
                    "158",
                    "180",
                    "181",
                    "187",
                    "189",
                    "177",
                    "199",
                    "133",
                )
            )
            number += f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def person(
        self,
        *,
        age: int,
        sex: str,
        relation: str,
        surname: str | None = None,
        hukou: str,
        ethnicity: str | None = None,
    ) -> _Person:
        age = max(0, min(age, 102))
        birth = self.birth_date(age)
        number, warnings = self.id_number(birth, sex)
        name = (surname or self.surname()) + self.given(sex, birth.year)
        has_phone = (18 <= age <= 75 and self.rng.random() < 0.88) or (
            age > 75 and self.rng.random() < 0.3
        )
        member_since = (
            max(birth, date(1985, 1, 1))
            if relation != "10"
            else max(_years_before(self.as_of, max(age - 24, 0)), birth, date(1985, 1, 1))
        )
        return _Person(
            NewPerson(
                name=name,
                id_number=number,
                sex=sex,
                birth_date=birth,
                relation=relation,
                ethnicity=ethnicity or self.ethnicity(),
                hukou=hukou,
                phone=self.phone() if has_phone else None,
                id_warnings=warnings,
                member_since=member_since,
                public_id=self.uuid(),
            ),
            age=age,
        )

    def ethnicity(self) -> str:
        r = self.rng.random()
        if r < 0.995:
            return "01"
        return self.rng.choice(("03", "03", "08", "06", "15", "11", "02"))

    def elderly_age(self, low: int, high: int) -> int:
        """Ages falling off with mortality: dense at ``low``, thin towards ``high``."""
        while True:
            age = low + int(self.rng.expovariate(1 / 15))
            if age <= high:
                return age

    # --- households -------------------------------------------------------------------------
    def household(self) -> tuple[NewHousehold, list[_Person]]:
        v = self.rng.choices(self.villages, weights=self.village_weights)[0]
        is_community = v.kind != "village"
        urban = self.rng.random() < URBAN_HUKOU_SHARE["community" if is_community else "village"]
        hukou = Person.Hukou.URBAN if urban else Person.Hukou.RURAL
        kinds = list(HOUSEHOLD_TYPES)
        kind = self.rng.choices(
            kinds, weights=[HOUSEHOLD_TYPES[k][1 if is_community else 0] for k in kinds]
        )[0]
        members = getattr(self, f"_hh_{kind}")(hukou)
        self.counts[f"household_{kind}"] += 1
        self._statuses(members)
        self._facts(members, urban=urban)
        if is_community:
            address = (
                f"当涂县{v.town}{v.name}{self.rng.choice('东南西北中新')}苑"
                f"{self.rng.randint(1, 30)}栋{self.rng.randint(1, 6)}0{self.rng.randint(1, 4)}室"
            )
        else:
            address = (
                f"当涂县{v.town}{v.name}{self.rng.randint(1, 18)}组{self.rng.randint(1, 80)}号"
            )
        hh = NewHousehold(
            region_code=v.code,
            address=address,
            members=[p.new for p in members],
            public_id=self.uuid(),
        )
        return hh, members

    def _couple(self, head_age: int, hukou: str) -> list[_Person]:
        surname = self.surname()
        head = self.person(
            age=head_age, sex=SEX_MALE, relation=RELATION_HEAD, surname=surname, hukou=hukou
        )
        wife_age = head_age - round(self.rng.gauss(2, 2.5))
        wife = self.person(age=max(wife_age, 20), sex=SEX_FEMALE, relation="10", hukou=hukou)
        return [head, wife]

    def _children(
        self,
        father: _Person,
        mother: _Person,
        hukou: str,
        *,
        n: int,
        min_age: int = 0,
        max_age: int = 200,
    ) -> list[_Person]:
        out: list[_Person] = []
        surname = father.new.name[: 2 if father.new.name[:2] in {"欧阳", "司马", "诸葛"} else 1]
        sons = daughters = 0
        for _ in range(n):
            age = min(mother.age, father.age) - self.rng.randint(21, 34)
            if age < min_age or age > max_age or age < 0:
                continue
            sex = SEX_MALE if self.rng.random() < 0.53 else SEX_FEMALE
            if sex == SEX_MALE:
                sons += 1
                relation = ("22", "23", "24", "25")[min(sons, 4) - 1]
            else:
                daughters += 1
                relation = ("32", "33", "34", "35")[min(daughters, 4) - 1]
            out.append(
                self.person(age=age, sex=sex, relation=relation, surname=surname, hukou=hukou)
            )
        if len(out) == 1:  # an only child
            out[0].new.relation = "21" if out[0].new.sex == SEX_MALE else "31"
        return out

    def _hh_elderly_single(self, hukou: str) -> list[_Person]:
        sex = SEX_FEMALE if self.rng.random() < 0.6 else SEX_MALE
        return [
            self.person(age=self.elderly_age(64, 100), sex=sex, relation=RELATION_HEAD, hukou=hukou)
        ]

    def _hh_elderly_couple(self, hukou: str) -> list[_Person]:
        return self._couple(self.elderly_age(60, 96), hukou)

    def _hh_nuclear(self, hukou: str) -> list[_Person]:
        couple = self._couple(self.rng.randint(27, 52), hukou)
        n = self.rng.choices((1, 2, 3), weights=(45, 45, 10) if hukou == "rural" else (60, 37, 3))[
            0
        ]
        members = couple + self._children(couple[0], couple[1], hukou, n=n, max_age=24)
        self._widowed_parent(members, 0.08, hukou)
        return members

    def _widowed_parent(self, members: list[_Person], share: float, hukou: str) -> None:
        """Sometimes a widowed parent of the head (father 51, mother 52) lives with them."""
        head = members[0]
        parent_age = head.age + self.rng.randint(22, 32)
        if parent_age > 100 or self.rng.random() >= share:
            return
        sex = SEX_FEMALE if self.rng.random() < 0.65 else SEX_MALE
        members.append(
            self.person(
                age=parent_age,
                sex=sex,
                relation="52" if sex == SEX_FEMALE else "51",
                surname=head.new.name[0] if sex == SEX_MALE else None,
                hukou=hukou,
            )
        )

    def _hh_three_generation(self, hukou: str) -> list[_Person]:
        grand = self._couple(self.rng.randint(50, 78), hukou)
        if self.rng.random() < 0.12:  # the grandmother has died or lives elsewhere
            grand = grand[:1]
            grand_mother_age = grand[0].age - 2
        else:
            grand_mother_age = min(grand[0].age, grand[1].age)
        son_age = grand_mother_age - self.rng.randint(22, 32)
        son = self.person(
            age=max(son_age, 22),
            sex=SEX_MALE,
            relation="22",
            surname=grand[0].new.name[0],
            hukou=hukou,
        )
        wife = self.person(
            age=max(son.age - round(self.rng.gauss(2, 2)), 20),
            sex=SEX_FEMALE,
            relation="38",
            hukou=hukou,
        )
        kids = self._children(
            son, wife, hukou, n=self.rng.choices((1, 2, 3), weights=(45, 47, 8))[0]
        )
        for k in kids:  # relation to the household head: grandson / granddaughter
            k.new.relation = "41" if k.new.sex == SEX_MALE else "42"
        members = [*grand, son, wife, *kids]
        self._widowed_parent(members, 0.2, hukou)
        young = [k for k in kids if k.age < 16]
        if young and self.rng.random() < LEFT_BEHIND_SHARE[hukou]:
            for parent in (son, wife):
                parent.works_away = True
                parent.new.living_together = False
            self.counts["left_behind_children"] += len(young)
            self.counts["left_behind_households"] += 1
        return members

    def _hh_middle_couple(self, hukou: str) -> list[_Person]:
        couple = self._couple(self.rng.randint(45, 62), hukou)
        if self.rng.random() < 0.4:
            couple += self._children(couple[0], couple[1], hukou, n=1, min_age=16)
        return couple

    def _hh_single_adult(self, hukou: str) -> list[_Person]:
        sex = SEX_MALE if self.rng.random() < 0.62 else SEX_FEMALE
        return [
            self.person(age=self.rng.randint(22, 60), sex=sex, relation=RELATION_HEAD, hukou=hukou)
        ]

    def _hh_skipped_generation(self, hukou: str) -> list[_Person]:
        grand = self._couple(self.rng.randint(55, 75), hukou)
        kids = []
        for _ in range(self.rng.choice((1, 1, 2))):
            sex = SEX_MALE if self.rng.random() < 0.53 else SEX_FEMALE
            kid = self.person(
                age=self.rng.randint(1, 15),
                sex=sex,
                relation="41" if sex == SEX_MALE else "42",
                surname=grand[0].new.name[0],
                hukou=hukou,
            )
            kids.append(kid)
        self.counts["left_behind_children"] += len(kids)
        self.counts["left_behind_households"] += 1
        draw = self.rng.random()
        if draw < ORPHANED_SHARE:
            return grand + self._dead_parents(kids, grand[0], hukou) + kids
        if draw < ORPHANED_SHARE + UNSUPPORTED_SHARE:
            return grand + self._absent_parents(kids, grand[0], hukou) + kids
        return grand + kids

    def _dead_parents(self, kids: list[_Person], head: _Person, hukou: str) -> list[_Person]:
        """The children's father (the head's son) and mother, both died some years ago: the
        children are orphans (孤儿) brought up by their grandparents."""
        oldest = max(k.age for k in kids)
        youngest_birth = max(k.new.birth_date for k in kids)
        surname = head.new.name[0]
        # a son at least 20 years younger than his father, at least 20 older than his child
        father_age = max(min(oldest + self.rng.randint(24, 32), head.age - 20), oldest + 20)
        father = self.person(
            age=father_age,
            sex=SEX_MALE,
            relation="22",
            surname=surname,
            hukou=hukou,
        )
        mother = self.person(
            age=max(father_age - self.rng.randint(0, 4), oldest + 20),
            sex=SEX_FEMALE,
            relation="38",
            hukou=hukou,
        )
        for parent in (father, mother):
            new = parent.new
            ago = timedelta(days=self.rng.randint(4 * 365, 8 * 365))
            died = max(youngest_birth + timedelta(days=30), self.as_of - ago)
            new.status, new.died_on = Person.Status.DECEASED, died
            new.left_on, new.end_reason = died, "死亡注销"
            new.member_since = min(new.member_since or died, died)
            self.counts["deceased"] += 1
        self.counts["orphans"] += len(kids)
        return [father, mother]

    def _absent_parents(self, kids: list[_Person], head: _Person, hukou: str) -> list[_Person]:
        """The children's father (the head's son) and mother are members but cannot care for
        them: the father serves a prison sentence, the mother is in prison, in compulsory
        rehabilitation or has lost contact, each for a year or more before ``as_of``; or one
        parent died and the other is in prison. The children are 事实无人抚养儿童."""
        oldest = max(k.age for k in kids)
        surname = head.new.name[0]
        father_age = max(min(oldest + self.rng.randint(24, 32), head.age - 20), oldest + 20)
        father = self.person(
            age=father_age, sex=SEX_MALE, relation="22", surname=surname, hukou=hukou
        )
        mother = self.person(
            age=max(father_age - self.rng.randint(0, 4), oldest + 20),
            sex=SEX_FEMALE,
            relation="38",
            hukou=hukou,
        )
        since = self.as_of - timedelta(days=self.rng.randint(365, 4 * 365))
        father.situation = (
            "imprisoned",
            since,
            since + timedelta(days=self.rng.randint(5, 12) * 365),
        )
        mother_since = self.as_of - timedelta(days=self.rng.randint(365, 3 * 365))
        kind = _weighted(
            self.rng, (("lost_contact", 5), ("imprisoned", 2), ("compulsory_detox", 2), ("dead", 1))
        )
        if kind == "dead":
            new = mother.new
            new.status, new.died_on = Person.Status.DECEASED, mother_since
            new.left_on, new.end_reason = mother_since, "死亡注销"
            new.member_since = min(new.member_since or mother_since, mother_since)
            self.counts["deceased"] += 1
        elif kind == "lost_contact":
            mother.situation = ("lost_contact", mother_since, None)
        else:
            years = 2 if kind == "compulsory_detox" else self.rng.randint(3, 8)
            mother.situation = (str(kind), mother_since, mother_since + timedelta(days=years * 365))
        for parent in (father, mother):
            parent.works_away = False
        self.counts["de_facto_unsupported_children"] += len(kids)
        return [father, mother]

    # --- statuses and facts ----------------------------------------------------------------
    def _statuses(self, members: list[_Person]) -> None:
        for p in members[1:]:  # the head stays: a household keeps its head
            new = p.new
            if new.status != Person.Status.LIVING or p.situation:
                continue  # already settled (the parents of orphans and of unsupported children)
            if p.age >= 60 and self.rng.random() < (0.08 if p.age >= 80 else 0.03):
                died = self.as_of - timedelta(days=self.rng.randint(10, 3 * 365))
                died = max(died, new.birth_date)
                new.status, new.died_on = Person.Status.DECEASED, died
                new.left_on, new.end_reason = died, "死亡注销"
                new.member_since = min(new.member_since or died, died)
                self.counts["deceased"] += 1
            elif 18 <= p.age <= 35 and not p.works_away and self.rng.random() < 0.06:
                moved = self.as_of - timedelta(days=self.rng.randint(30, 5 * 365))
                moved = max(moved, new.birth_date + timedelta(days=18 * 365))
                new.status, new.moved_out_on = Person.Status.MOVED_OUT, moved
                new.left_on = moved
                new.end_reason = self.rng.choice(
                    ("迁出（升学）", "迁出（婚嫁）", "迁出（务工落户）")
                )
                new.member_since = min(new.member_since or moved, moved)
                self.counts["moved_out"] += 1

    def _facts(self, members: list[_Person], *, urban: bool) -> None:
        rng = self.rng
        for p in members:
            if p.new.status != Person.Status.LIVING:
                continue
            age = p.age
            for limit, share in DISABILITY_PREVALENCE:
                if age < limit:
                    if rng.random() < share:
                        issued = self.as_of - timedelta(days=rng.randint(30, 9 * 365))
                        p.disability = (
                            str(_weighted(rng, DISABILITY_CATEGORIES)),
                            int(_weighted(rng, DISABILITY_GRADES)),  # type: ignore[call-overload]
                            max(issued, p.new.birth_date),
                        )
                    break
            if age >= 45 and rng.random() < 0.02:
                diagnosed = self.as_of - timedelta(days=rng.randint(30, 6 * 365))
                p.illness = (rng.choice(SERIOUS_ILLNESSES), diagnosed)
            ability = Employment.WorkAbility.FULL
            if (p.disability and p.disability[1] <= 2) or p.illness or age >= 80:
                ability = Employment.WorkAbility.NONE
            elif p.disability or age >= 70:
                ability = Employment.WorkAbility.PARTIAL
            if age < 16:
                continue
            if p.situation:
                # in prison, in rehabilitation or out of contact: no work, no income; not
                # living with the household
                p.employment = (ability, Employment.Status.UNEMPLOYED, "")
                p.new.living_together = False
                continue
            if p.works_away:
                place = rng.choice(WORK_AWAY_PLACES)
                p.employment = (ability, Employment.Status.EMPLOYED, f"外出务工（{place}）")
                p.income = ("wage", _lognormal_fen(rng, 5500, 0.3), f"外出务工（{place}）")
                self.counts["working_away"] += 1
            elif age <= 22 and rng.random() < 0.7:
                p.employment = (ability, Employment.Status.STUDENT, "")
            elif ability == Employment.WorkAbility.NONE:
                p.employment = (ability, Employment.Status.UNEMPLOYED, "")
                if age >= 60:
                    p.income = self._pension(urban)
            elif age >= 60:
                if urban:
                    p.employment = (ability, Employment.Status.RETIRED, "")
                    p.income = self._pension(urban)
                elif age <= 75:
                    p.employment = (ability, Employment.Status.FARMING, "")
                    p.income = ("transfer", _lognormal_fen(rng, 215, 0.1), "城乡居民基础养老金")
                else:
                    p.income = ("transfer", _lognormal_fen(rng, 215, 0.1), "城乡居民基础养老金")
            else:
                status = str(
                    _weighted(
                        rng,
                        (
                            (
                                (Employment.Status.EMPLOYED, 60),
                                (Employment.Status.SELF_EMPLOYED, 12),
                                (Employment.Status.FLEXIBLE, 12),
                                (Employment.Status.UNEMPLOYED, 8),
                            )
                            if urban
                            else (
                                (Employment.Status.EMPLOYED, 28),
                                (Employment.Status.FARMING, 34),
                                (Employment.Status.SELF_EMPLOYED, 8),
                                (Employment.Status.FLEXIBLE, 15),
                                (Employment.Status.UNEMPLOYED, 7),
                            )
                        ),
                    )
                )
                if status == Employment.Status.EMPLOYED and not urban and rng.random() < 0.45:
                    place = rng.choice(WORK_AWAY_PLACES)
                    p.works_away = True
                    p.new.living_together = False
                    p.employment = (ability, status, f"外出务工（{place}）")
                    p.income = ("wage", _lognormal_fen(rng, 5500, 0.3), f"外出务工（{place}）")
                    self.counts["working_away"] += 1
                    continue
                p.employment = (ability, status, "当涂县本地" if status == "employed" else "")
                median, category = {
                    "employed": (4300 if urban else 3800, "wage"),
                    "self_employed": (4500, "business"),
                    "flexible": (2600, "wage"),
                    "farming": (1300, "business"),
                }.get(status, (0, ""))
                if median:
                    p.income = (category, _lognormal_fen(rng, median, 0.35), "")

    def _pension(self, urban: bool) -> tuple[str, int, str]:
        if urban:
            return ("transfer", _lognormal_fen(self.rng, 3200, 0.25), "城镇职工基本养老金")
        return ("transfer", _lognormal_fen(self.rng, 215, 0.1), "城乡居民基础养老金")

    # --- planted duplicates -----------------------------------------------------------------
    def duplicate_of(self, p: NewPerson, how: str) -> NewHousehold:
        """A second registration of ``p`` in a household of its own, for the duplicates report."""
        v = self.rng.choices(self.villages, weights=self.village_weights)[0]
        if how == "legacy15":  # the same number in its old 15-digit form
            number = p.id_number[:6] + p.id_number[8:17]
            warnings = ["由15位身份证号码升级比对（原登记为15位）"]
            phone = None
        else:  # same name and birth date, another order code (a typo or a second registration)
            seq = (int(p.id_number[14:17]) + 2) % 1000
            first17 = f"{p.id_number[:14]}{seq:03d}"
            number = first17 + check_char(first17)
            if number in self.used_ids:
                number = self.id_number(p.birth_date, p.sex)[0]
            self.used_ids.add(number)
            warnings = []
            phone = p.phone if how == "phone" else None
        dup = NewPerson(
            name=p.name,
            id_number=number,
            sex=p.sex,
            birth_date=p.birth_date,
            relation=RELATION_HEAD,
            ethnicity=p.ethnicity,
            hukou=p.hukou,
            phone=phone,
            id_warnings=warnings,
            member_since=max(p.birth_date, date(1985, 1, 1)),
            public_id=self.uuid(),
        )
        if how == "phone":  # another person (a relative) given the same phone number
            dup.name = p.name[0] + self.given(p.sex, p.birth_date.year)
            dup.birth_date = self.birth_date(max(18, self.rng.randint(25, 70)))
            first17 = f"{COUNTY}{dup.birth_date:%Y%m%d}{self.rng.randrange(500) * 2 + 1:03d}"
            dup.sex = SEX_MALE
            dup.id_number = first17 + check_char(first17)
            if dup.id_number in self.used_ids:
                dup.id_number = self.id_number(dup.birth_date, dup.sex)[0]
            self.used_ids.add(dup.id_number)
        self.counts[f"planted_duplicate_{how}"] += 1
        return NewHousehold(
            region_code=v.code,
            address=f"当涂县{v.town}{v.name}",
            members=[dup],
            public_id=self.uuid(),
        )


def _accumulate(weights: list[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _lognormal_fen(rng: random.Random, median_yuan: float, sigma: float) -> int:
    return int(round(median_yuan * math.exp(rng.gauss(0, sigma)), 0)) * 100


def _villages(county: str) -> list[_Village]:
    rows = (
        Region.objects.filter(
            code__startswith=county, level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY]
        )
        .select_related("parent")
        .order_by("code")
    )
    out = []
    for r in rows:
        if r.level == Region.Level.COMMUNITY:
            kind = "seat_community" if r.parent and "county seat" in r.parent.note else "community"
        else:
            kind = "village"
        out.append(_Village(r.code, r.name, r.parent.name if r.parent else "", kind))
    if not out:
        raise DomainError(f"区划表中没有 {county} 的村（社区），请先执行迁移载入区划")
    return out


def _prefix_spans() -> dict[str, tuple[date | None, date | None]]:
    return {
        code: (vf, vt)
        for code, vf, vt in Region.objects.filter(level=Region.Level.COUNTY).values_list(
            "code", "valid_from", "valid_to"
        )
    }


def plan_households(
    persons: int, seed: int, *, as_of: date, villages: list[_Village] | None = None
) -> tuple[list[tuple[NewHousehold, list[_Person]]], Counter[str]]:
    """The whole county as plans, without writing (used by tests of the distributions)."""
    gen = CountyGenerator(
        seed, as_of=as_of, villages=villages or _villages(COUNTY), known_prefixes=_prefix_spans()
    )
    return list(_plans(gen, persons)), gen.counts


def _plans(gen: CountyGenerator, persons: int) -> Iterator[tuple[NewHousehold, list[_Person]]]:
    """Yield ``(household, planned members)`` until exactly ``persons`` persons exist.

    The members list is aligned with ``household.members``. About 0.05 % of the persons are
    planted second registrations of others (15-digit legacy number, same name and birth date,
    same phone in another household) for the duplicates report.
    """
    planted = persons // 2000
    made = 0
    candidates: list[_Person] = []
    while made < persons - planted:
        hh, members = gen.household()
        room = persons - planted - made
        if len(members) > room:  # trim the last household to fit exactly
            members = [members[0], *members[1:room]]
            hh.members = [m.new for m in members]
        made += len(members)
        if len(candidates) < 3 * planted:
            candidates.extend(
                m
                for m in members
                if m.new.birth_date.year < 1980 and m.new.status == Person.Status.LIVING
            )
        yield hh, members
    for i in range(persons - made):
        how = ("legacy15", "name_birth", "phone")[i % 3]
        source = candidates[i % len(candidates)] if candidates else None
        if source is None:  # too few persons to plant from: a single-person household
            hh, members = gen.household()
            hh.members = [members[0].new]
            yield hh, members[:1]
            continue
        if how == "phone" and not source.new.phone:
            how = "name_birth"
        dup = gen.duplicate_of(source.new, how)
        age = _age_on(dup.members[0].birth_date, gen.as_of)
        yield dup, [_Person(dup.members[0], age=age)]


def generate_county(
    persons: int,
    seed: int,
    progress: Progress | None = None,
    *,
    as_of: date | None = None,
    chunk_persons: int = CHUNK_PERSONS,
) -> GenerateResult:
    """Write a synthetic 当涂县 of exactly ``persons`` persons into an empty registry."""
    if persons < 1:
        raise DomainError("人数必须大于0")
    existing = Person.objects.count()
    if existing:
        raise DomainError(f"档案中已有 {existing} 人；合成数据只写入空的档案库")
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    gen = CountyGenerator(
        seed, as_of=as_of, villages=_villages(COUNTY), known_prefixes=_prefix_spans()
    )
    done = households = 0
    batch: list[tuple[NewHousehold, list[_Person]]] = []
    in_batch = 0
    if progress:
        progress(0, persons)
    for item in _plans(gen, persons):
        batch.append(item)
        in_batch += len(item[1])
        if in_batch >= chunk_persons:
            _write_chunk(batch, as_of, gen.counts)
            done, households = done + in_batch, households + len(batch)
            batch, in_batch = [], 0
            if progress:
                progress(done, persons)
    if batch:
        _write_chunk(batch, as_of, gen.counts)
        done, households = done + in_batch, households + len(batch)
        if progress:
            progress(done, persons)
    _analyze()
    seconds = time.perf_counter() - started
    counts = dict(sorted(gen.counts.items()))
    audit.record(
        actor=None,
        username="generator",
        action="registry.generate",
        object_type="registry.person",
        object_repr=f"合成数据 {done} 人",
        region_code=COUNTY,
        detail={
            "persons": done,
            "households": households,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "seconds": round(seconds, 1),
            **counts,
        },
    )
    return GenerateResult(persons=done, households=households, seconds=seconds, counts=counts)


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (SQLite and PostgreSQL alike)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for model in (Person, Household, Membership, PersonSearchKey, IncomeItem, Employment):
            cur.execute(f"ANALYZE {qn(model._meta.db_table)}")


def _write_chunk(
    batch: list[tuple[NewHousehold, list[_Person]]], as_of: date, counts: Counter[str]
) -> None:
    # incomes are taken as in force for the last few years (from 1 January four years before
    # the reference year, or the 16th birthday), so that the demo's assistance history,
    # which starts in 2023, assesses each household against the incomes it had then
    history_start = date(as_of.year - INCOME_HISTORY_YEARS, 1, 1)
    now = timezone.now()
    encrypt_certificate = Disability._meta.get_field("certificate_number").get_prep_value  # type: ignore[union-attr]
    rng_uuid = uuid.uuid4
    with transaction.atomic():
        written = write_households([hh for hh, _ in batch], today=as_of)
        employments: list[tuple[object, ...]] = []
        incomes: list[tuple[object, ...]] = []
        disabilities: list[tuple[object, ...]] = []
        illnesses: list[tuple[object, ...]] = []
        situations: list[tuple[object, ...]] = []
        for (hh, members), w in zip(batch, written, strict=True):
            county = hh.region_code[:6]
            for p, pid in zip(members, w.person_ids, strict=True):
                if p.employment:
                    ability, status, employer = p.employment
                    employments.append(
                        (rng_uuid(), now, now, pid, ability, status, employer, county)
                    )
                if p.income:
                    category, fen, note = p.income
                    incomes.append(
                        (
                            rng_uuid(),
                            now,
                            now,
                            w.household_id,
                            pid,
                            category,
                            fen,
                            max(history_start, _years_before(p.new.birth_date, -16)),
                            Source.DECLARED,
                            note,
                            county,
                            1,
                        )
                    )
                if p.disability:
                    category, grade, issued = p.disability
                    disabilities.append(
                        (
                            rng_uuid(),
                            now,
                            now,
                            pid,
                            encrypt_certificate(f"{p.new.id_number}{category}{grade}"),
                            category,
                            grade,
                            issued,
                            _years_before(issued, -10),
                            county,
                            1,
                        )
                    )
                    counts["disabled"] += 1
                    counts[f"disability_category_{category}"] += 1
                    counts[f"disability_grade_{grade}"] += 1
                if p.illness:
                    description, diagnosed = p.illness
                    illnesses.append(
                        (rng_uuid(), now, now, pid, True, description, diagnosed, county)
                    )
                if p.situation:
                    kind, since, until = p.situation
                    situations.append(
                        (
                            rng_uuid(),
                            now,
                            now,
                            pid,
                            kind,
                            since,
                            until,
                            SITUATION_BASIS[kind],
                            county,
                        )
                    )
        insert_rows(
            Employment,
            (
                "public_id",
                "created_at",
                "updated_at",
                "person",
                "work_ability",
                "status",
                "employer",
                "county_code",
            ),
            employments,
        )
        insert_rows(
            IncomeItem,
            (
                "public_id",
                "created_at",
                "updated_at",
                "household",
                "person",
                "category",
                "monthly_amount_fen",
                "started_on",
                "source",
                "note",
                "county_code",
                "version",
            ),
            incomes,
        )
        insert_rows(
            Disability,
            (
                "public_id",
                "created_at",
                "updated_at",
                "person",
                "certificate_number",
                "category",
                "grade",
                "issued_on",
                "valid_until",
                "county_code",
                "version",
            ),
            disabilities,
        )
        insert_rows(
            HealthCondition,
            (
                "public_id",
                "created_at",
                "updated_at",
                "person",
                "serious_illness",
                "description",
                "diagnosed_on",
                "county_code",
            ),
            illnesses,
        )
        insert_rows(
            Situation,
            (
                "public_id",
                "created_at",
                "updated_at",
                "person",
                "kind",
                "since",
                "until",
                "basis",
                "county_code",
            ),
            situations,
        )
