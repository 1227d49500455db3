"""Builders for dynamic-management tests: enrollments written straight to the database (the
world around the behaviour; the behaviour itself goes through the services)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minzheng.assistance.models import Enrollment, EnrollmentAmount
from minzheng.assistance.rules.people import add_months, month_start
from tests.registry.factories import HouseholdFactory, PersonFactory, add_member


def today() -> dt.date:
    return timezone.localdate()


def this_month() -> dt.date:
    return month_start(today())


def months_from_now(n: int) -> dt.date:
    return add_months(this_month(), n)


def enroll(
    *,
    programme: str = "dibao",
    payee=None,
    household=None,
    covered: int = 1,
    amount_fen: int = 90000,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Enrollment:
    if payee is None:
        household = household or HouseholdFactory()
        payee = household.head
    region_id = household.region_id if household else payee.region_id
    start = start or months_from_now(-12)
    e = Enrollment.objects.create(
        programme=programme,
        household=household,
        payee=payee,
        region_id=region_id,
        county_code=region_id[:6],
        covered_persons=covered,
        start_month=start,
        end_month=end,
    )
    EnrollmentAmount.objects.create(
        enrollment=e, from_month=start, amount_fen=amount_fen, reason="审核确认"
    )
    return e


def dibao_household(members: int = 3, *, region_id: str | None = None, amount_fen: int = 180000):
    """A 低保 household of ``members`` persons, all covered; returns (household, enrollment,
    members head first)."""
    kw = {"head__region_id": region_id} if region_id else {}
    hh = HouseholdFactory(**kw)
    people = [hh.head] + [add_member(hh) for _ in range(members - 1)]
    e = enroll(household=hh, payee=hh.head, covered=members, amount_fen=amount_fen)
    return hh, e, people


def person(**kw):
    return PersonFactory(**kw)
