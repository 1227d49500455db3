"""Payments lends dynamic management its paid months and adds rescue spending to the funds."""

import datetime as dt

import pytest

from minzheng.assistance import dynamic
from minzheng.payments import metrics, wiring

pytestmark = pytest.mark.django_db


def test_the_hooks_are_connected_at_start_up():
    assert dynamic._paid_months_provider is wiring.paid_months
    assert metrics.EXTERNAL_SPENDING["vagrant_rescue"] is wiring.rescue_spending


def test_no_lines_means_no_paid_months():
    class E:
        pk = 123456

    assert wiring.paid_months([E()], dt.date(2024, 1, 1)) == {}
