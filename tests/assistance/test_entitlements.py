"""The contract between enrollments and payroll: who is owed how much for a month."""

import datetime as dt

import pytest

from minzheng.assistance.models import Enrollment, EnrollmentAmount, ParameterValue, Suspension
from minzheng.assistance.selectors import entitled_enrollments
from tests.registry.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def _enroll(
    programme="dibao", start=dt.date(2023, 2, 1), end=None, amounts=((dt.date(2023, 2, 1), 50000),)
):
    hh = HouseholdFactory()
    e = Enrollment.objects.create(
        programme=programme,
        household=hh,
        payee=hh.head,
        region=hh.region,
        county_code=hh.county_code,
        start_month=start,
        end_month=end,
    )
    for month, fen in amounts:
        EnrollmentAmount.objects.create(
            enrollment=e, from_month=month, amount_fen=fen, reason="核定"
        )
    return e


def _owed(month):
    return {e.pk: e.amount_fen for e in entitled_enrollments(month)}


def test_amount_in_force_is_the_latest_row_not_after_the_month():
    e = _enroll(amounts=((dt.date(2023, 2, 1), 50000), (dt.date(2023, 7, 1), 56000)))
    assert _owed(dt.date(2023, 1, 15)) == {}
    assert _owed(dt.date(2023, 6, 30)) == {e.pk: 50000}
    assert _owed(dt.date(2023, 7, 1)) == {e.pk: 56000}


def test_end_month_is_paid_and_the_month_after_is_not():
    e = _enroll(end=dt.date(2023, 5, 1))
    assert _owed(dt.date(2023, 5, 1)) == {e.pk: 50000}
    assert _owed(dt.date(2023, 6, 1)) == {}


def test_suspended_months_are_not_owed():
    e = _enroll()
    Suspension.objects.create(
        enrollment=e, from_month=dt.date(2023, 4, 1), to_month=dt.date(2023, 5, 1), reason="失联"
    )
    assert _owed(dt.date(2023, 3, 1)) == {e.pk: 50000}
    assert _owed(dt.date(2023, 4, 1)) == {}
    assert _owed(dt.date(2023, 6, 1)) == {e.pk: 50000}


def test_recognition_only_programmes_are_never_paid():
    _enroll(programme="dibao_edge")
    assert _owed(dt.date(2023, 3, 1)) == {}


def test_the_county_defaults_are_seeded_as_unconfirmed():
    row = ParameterValue.objects.get(county_code="340521", key="dibao_standard_urban_fen")
    assert row.value == 85000
    assert row.confirmed is False
