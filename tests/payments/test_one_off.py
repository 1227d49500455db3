"""One-off grants (临时救助) are paid by the payroll once, in the first run of their month or
a later one, and never again."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from minzheng.payments import services
from minzheng.payments.models import LedgerEntry, PaymentLine
from tests.payments.factories import AUG, JUL, SEP, enroll, region

pytestmark = pytest.mark.django_db


def grant(month, amount=300000):
    """A 临时救助 grant: an enrollment of exactly one month, as the workflow writes it."""
    return enroll("temporary_assistance", start=month, end=month, amount=amount)


def test_a_grant_is_paid_once_in_its_month(pay):
    g = grant(JUL)

    first = pay(JUL)
    second = pay(AUG)

    line = PaymentLine.objects.get(run=first)
    assert (line.kind, line.enrollment_id, line.month, line.amount_fen) == (
        "one_off",
        g.pk,
        JUL,
        300000,
    )
    assert not PaymentLine.objects.filter(run=second).exists()
    entry = LedgerEntry.objects.get(enrollment=g)
    assert (entry.kind, entry.amount_fen, entry.month) == ("payment", 300000, JUL)


def test_a_grant_made_after_its_months_run_is_paid_by_the_next_run(pay):
    pay(JUL)  # the July run was already exported when the grant was made
    g = grant(JUL)

    aug = pay(AUG)
    pay(SEP)

    assert list(PaymentLine.objects.filter(enrollment=g).values_list("run_id", "month")) == [
        (aug.pk, JUL)
    ]


def test_a_grant_of_a_later_month_waits_for_it(pay):
    g = grant(AUG)

    jul = pay(JUL)

    assert not PaymentLine.objects.filter(run=jul).exists()
    assert PaymentLine.objects.filter(run=pay(AUG), enrollment=g).count() == 1


def test_a_run_of_another_programme_does_not_pay_grants(pay):
    grant(JUL)
    enroll("dibao")

    run = pay(JUL, programme="dibao")

    assert set(PaymentLine.objects.filter(run=run).values_list("programme", flat=True)) == {"dibao"}


def test_a_programme_run_of_temporary_assistance_is_allowed(preparer):
    g = grant(JUL)

    start = services.payroll_run_start(
        actor=preparer, programme="temporary_assistance", month=JUL, region=region()
    )

    assert PaymentLine.objects.get(run=start.run).enrollment_id == g.pk


def test_the_database_refuses_a_second_live_line_for_a_grant(pay):
    g = grant(JUL)
    run = pay(JUL, export=False)
    line = PaymentLine.objects.get(run=run, enrollment=g)

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            run=run,
            kind="one_off",
            enrollment=g,
            payee=line.payee,
            programme=line.programme,
            programme_group=line.programme_group,
            month=AUG,
            amount_fen=100,
            region=line.region,
            county_code=line.county_code,
        )
