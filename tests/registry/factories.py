"""factory_boy factories for registry rows, written straight to the database (fast set-up).

Behaviour under test goes through the services; these only build the world around it.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from minzheng.core.idnumber import check_char
from minzheng.registry import services
from minzheng.registry.models import (
    Asset,
    Disability,
    Household,
    IncomeItem,
    Membership,
    Person,
    Situation,
)

VILLAGE_A = "340521104201"  # 桃元村, 塘南镇
VILLAGE_A2 = "340521104202"  # 坝华村, 塘南镇
VILLAGE_B = "340521103201"  # 沛东村, 石桥镇


def resident_id(birth: dt.date, seq: int, address: str = "340521") -> str:
    """A valid 18-character number; ``seq`` odd for a man, even for a woman."""
    first17 = f"{address}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    class Params:
        seq = factory.Sequence(lambda n: 100 + n)

    name = factory.Iterator(["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十"])
    birth_date = dt.date(1970, 5, 1)
    id_number = factory.LazyAttribute(lambda o: resident_id(o.birth_date, o.seq))
    sex = factory.LazyAttribute(lambda o: "1" if o.seq % 2 else "2")
    ethnicity = "01"
    region_id = VILLAGE_A
    county_code = factory.LazyAttribute(lambda o: o.region_id[:6])
    hukou = Person.Hukou.RURAL

    @factory.post_generation
    def search_keys(obj, create, extracted, **kwargs):
        if create:
            services.rebuild_search_keys([obj])


class HouseholdFactory(DjangoModelFactory):
    """A household whose head is a current member (relation 02)."""

    class Meta:
        model = Household
        skip_postgeneration_save = True

    head = factory.SubFactory(PersonFactory)
    region_id = factory.LazyAttribute(lambda o: o.head.region_id)
    county_code = factory.LazyAttribute(lambda o: o.region_id[:6])
    address = "塘南镇桃元村1号"
    member_count = 1

    @factory.post_generation
    def head_membership(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                person=obj.head,
                household=obj,
                relation="02",
                started_on=dt.date(2000, 1, 1),
                county_code=obj.county_code,
            )


def add_member(household: Household, person: Person | None = None, relation: str = "20") -> Person:
    person = person or PersonFactory(region_id=household.region_id)
    Membership.objects.create(
        person=person,
        household=household,
        relation=relation,
        started_on=dt.date(2000, 1, 1),
        county_code=household.county_code,
    )
    Household.objects.filter(pk=household.pk).update(member_count=household.member_count + 1)
    household.member_count += 1
    return person


class IncomeFactory(DjangoModelFactory):
    class Meta:
        model = IncomeItem

    household = factory.SubFactory(HouseholdFactory)
    category = IncomeItem.Category.WAGE
    monthly_amount_fen = 150000
    started_on = dt.date(2024, 1, 1)
    county_code = factory.LazyAttribute(lambda o: o.household.county_code)


class AssetFactory(DjangoModelFactory):
    class Meta:
        model = Asset

    household = factory.SubFactory(HouseholdFactory)
    kind = Asset.Kind.VEHICLE
    value_fen = 3000000
    county_code = factory.LazyAttribute(lambda o: o.household.county_code)


class DisabilityFactory(DjangoModelFactory):
    class Meta:
        model = Disability

    person = factory.SubFactory(PersonFactory)
    category = "4"
    grade = 2
    county_code = factory.LazyAttribute(lambda o: o.person.county_code)


class SituationFactory(DjangoModelFactory):
    class Meta:
        model = Situation

    person = factory.SubFactory(PersonFactory)
    kind = Situation.Kind.IMPRISONED
    since = dt.date(2023, 3, 1)
    basis = "（2023）皖0521刑初12号"
    county_code = factory.LazyAttribute(lambda o: o.person.county_code)
