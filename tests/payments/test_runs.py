"""Payroll runs: generation from the contract, idempotence, states and the four-eyes rule."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent
from minzheng.payments import services
from minzheng.payments.models import LedgerEntry, PaymentLine, PaymentRun
from tests.payments.factories import AUG, JUL, VILLAGE_B, enroll, region, suspend

pytestmark = pytest.mark.django_db


def _lines(run):
    return {(ln.enrollment_id, ln.amount_fen) for ln in PaymentLine.objects.filter(run=run)}


def test_a_run_has_one_line_per_entitled_enrollment_with_its_amount(preparer):
    # given: two paid enrollments, one ended before the month, one suspended, one edge-only
    a = enroll("dibao", amount=62000)
    b = enroll("tekun", amounts=((dt.date(2024, 1, 1), 70000), (JUL, 75000)))
    enroll("dibao", end=dt.date(2024, 6, 1))
    suspend(enroll("gaoling"), JUL, JUL)
    enroll("dibao_edge")

    # when
    start = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region())

    # then
    run = start.run
    assert start.created
    assert run.status == PaymentRun.Status.DRAFT
    assert _lines(run) == {(a.pk, 62000), (b.pk, 75000)}
    assert (run.line_count, run.total_fen) == (2, 137000)
    assert run.job is not None and run.job.status == "done"


def test_the_same_run_again_adds_nothing_and_says_so(preparer, make_user):
    enroll()
    first = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region())
    other = make_user("colleague", "programme_officer", "340521")

    again = services.payroll_run_start(actor=other, programme="", month=JUL, region=region())

    assert not again.created
    assert again.run.pk == first.run.pk
    assert "王制单" in again.message and "未新增" in again.message
    assert PaymentRun.objects.count() == 1
    assert PaymentLine.objects.count() == 1


def test_an_overlapping_run_pays_nobody_twice(preparer):
    # given: a county run for all programmes already holds July
    enroll(region="340521104201")
    enroll(region=VILLAGE_B)
    services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region())

    # when: a town run for 低保 in July is generated as well
    town = services.payroll_run_start(
        actor=preparer, programme="dibao", month=JUL, region=region("340521103")
    )

    # then: it is a new run, with no line, and the approver sees why
    assert town.created
    assert town.run.line_count == 0
    assert town.run.summary["excluded"]["count"] == 1
    assert town.run.summary["excluded"]["sample"][0]["reason"] == "本月已在其他批次发放"


def test_approval_by_the_preparer_is_refused(preparer, approver):
    enroll()
    run = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region()).run
    run = services.payroll_run_review(actor=preparer, run=run)

    with pytest.raises(DomainError, match="审批人不能是本批次的制单人"):
        services.payroll_run_approve(actor=preparer, run=run)

    run.refresh_from_db()
    assert run.status == PaymentRun.Status.REVIEWED
    refusal = AuditEvent.objects.get(action="payments.run_approve")
    assert refusal.outcome == "failure"
    assert services.payroll_run_approve(actor=approver, run=run).status == "approved"


def test_a_run_must_be_reviewed_before_it_is_approved(preparer, approver):
    enroll()
    run = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region()).run
    with pytest.raises(DomainError, match="待复核"):
        services.payroll_run_approve(actor=approver, run=run)


def test_export_posts_each_line_once_and_a_second_download_posts_nothing(pay, preparer):
    enroll(amount=50000)
    enroll(amount=30000)
    run = pay(JUL)
    assert run.status == PaymentRun.Status.EXPORTED
    assert LedgerEntry.objects.filter(kind="payment").count() == 2

    from minzheng.payments.models import BankLayout

    again = services.payroll_run_export(
        actor=preparer, run=run, layout=BankLayout.objects.get(code="generic"), fmt="xlsx"
    )
    assert again.posted == 0 and again.rows == 2
    assert LedgerEntry.objects.count() == 2


def test_cancelling_a_draft_releases_its_months_for_a_new_run(preparer):
    enroll()
    run = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region()).run
    services.payroll_run_cancel(actor=preparer, run=run, reason="参数有误")

    again = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region())

    assert again.created and again.run.line_count == 1
    assert PaymentLine.objects.filter(status="cancelled", held_month__isnull=True).count() == 1


def test_next_month_shows_new_stopped_and_changed_to_the_approver(pay, preparer):
    stays = enroll(amounts=((dt.date(2024, 1, 1), 50000), (AUG, 55000)))
    enroll(end=JUL)  # stops after July
    pay(JUL)
    newcomer = enroll(start=AUG)

    aug = services.payroll_run_start(actor=preparer, programme="", month=AUG, region=region()).run

    s = aug.summary
    assert (s["new"]["count"], s["stopped"]["count"], s["changed"]["count"]) == (1, 1, 1)
    assert s["new"]["sample"][0]["payee_id"] == newcomer.payee_id
    assert s["changed"]["sample"][0]["prev_amount"] == 50000
    assert s["changed"]["sample"][0]["payee_id"] == stays.payee_id


def test_a_month_paid_twice_over_a_bank_return_counts_once_as_changed(pay, preparer):
    # given: August failed at the bank and was re-issued in September, so August has two lines
    # of the payee (the failed one and its re-issue); the amount rises in October
    from minzheng.payments.models import PaymentException
    from tests.payments.factories import OCT, SEP
    from tests.payments.helpers import return_csv

    e = enroll(amounts=((dt.date(2024, 1, 1), 40000), (OCT, 45000)))
    aug = pay(AUG)
    line = PaymentLine.objects.get(run=aug)
    services.bank_return_import(
        actor=preparer, run=aug, content=return_csv(aug, {line.pk: "账户已销户"}), filename="r.csv"
    )
    services.payee_account_set(
        actor=preparer,
        person=e.payee,
        account_type="bank_card",
        bank_name="县农商银行",
        account_number="6230 0000 1111 2222",
        holder_name=e.payee.name,
    )
    services.exception_mark_ready(
        actor=preparer, exception=PaymentException.objects.get(), resolution="已换卡"
    )
    pay(SEP)
    assert PaymentLine.objects.filter(month=AUG).count() == 2

    # when
    oct_run = services.payroll_run_start(
        actor=preparer, programme="", month=OCT, region=region()
    ).run

    # then: one changed line, compared with August's first line
    s = oct_run.summary
    assert (s["new"]["count"], s["stopped"]["count"], s["changed"]["count"]) == (0, 0, 1)
    assert s["changed"]["total_fen"] == 45000
    assert s["changed"]["sample"] == [
        {
            "payee_id": e.payee_id,
            "programme": "dibao",
            "amount_fen": 45000,
            "region_id": e.region_id,
            "prev_amount": 40000,
        }
    ]
