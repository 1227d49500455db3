"""The ledger: bank returns, exceptions re-issued once, recovery, back-pay, exclusion groups,
and the database refusing to rewrite history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum

from minzheng.core.exceptions import DomainError
from minzheng.payments import selectors, services
from minzheng.payments.models import (
    BackPayItem,
    LedgerEntry,
    PaymentException,
    PaymentLine,
    RecoveryDecision,
)
from tests.payments.factories import AUG, JUL, OCT, SEP, VILLAGE_B, enroll, region
from tests.payments.helpers import return_csv
from tests.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _net(**filters) -> int:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount_fen"))["s"] or 0


def _payments_for(person, month) -> int:
    """How many times the person was paid for the month, net of reversals."""
    pay = LedgerEntry.objects.filter(person=person, month=month, kind="payment").count()
    rev = LedgerEntry.objects.filter(person=person, month=month, kind="reversal").count()
    return pay - rev


# --- bank returns and exceptions ---------------------------------------------------------------


def test_a_failed_bank_line_is_reversed_and_becomes_an_exception(pay, preparer):
    ok, bad = enroll(amount=50000), enroll(amount=30000)
    run = pay(JUL)
    bad_line = PaymentLine.objects.get(run=run, enrollment=bad)

    result = services.bank_return_import(
        actor=preparer,
        run=run,
        content=return_csv(run, {bad_line.pk: "账户已销户"}),
        filename="return.csv",
    )

    assert (result.paid, result.failed, result.reconciled) == (1, 1, True)
    run.refresh_from_db()
    assert run.status == "reconciled"
    bad_line.refresh_from_db()
    assert (bad_line.status, bad_line.held_month) == ("failed", None)
    exc = PaymentException.objects.get()
    assert (exc.status, exc.reason, exc.amount_fen) == ("open", "银行退回：账户已销户", 30000)
    assert _net(person=bad.payee) == 0
    assert _net(person=ok.payee) == 50000


def test_importing_the_same_return_file_twice_changes_nothing(pay, preparer):
    e = enroll()
    run = pay(JUL)
    line = PaymentLine.objects.get(run=run)
    content = return_csv(run, {line.pk: "户名不符"})
    services.bank_return_import(actor=preparer, run=run, content=content, filename="r.csv")

    again = services.bank_return_import(actor=preparer, run=run, content=content, filename="r.csv")

    assert (again.failed, again.already) == (0, 1)
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    assert PaymentException.objects.count() == 1
    assert _net(person=e.payee) == 0


def test_a_return_file_with_a_foreign_reference_is_refused_whole(pay, preparer):
    enroll()
    run = pay(JUL)
    content = return_csv(run) + "MZ9999999999,x,1.00,失败,销户\r\n".encode()
    with pytest.raises(DomainError, match="不属于本批次"):
        services.bank_return_import(actor=preparer, run=run, content=content, filename="r.csv")
    assert PaymentLine.objects.get(run=run).status == "posted"


def test_a_failed_line_is_reissued_once_in_the_next_run_and_never_twice(pay, preparer):
    # given: July failed for one payee, and the account was corrected
    e = enroll(amount=40000)
    jul = pay(JUL)
    line = PaymentLine.objects.get(run=jul)
    services.bank_return_import(
        actor=preparer, run=jul, content=return_csv(jul, {line.pk: "账户已销户"}), filename="r.csv"
    )
    exc = PaymentException.objects.get()
    services.payee_account_set(
        actor=preparer,
        person=e.payee,
        account_type="bank_card",
        bank_name="县农商银行",
        account_number="6230 0000 1111 2222",
        holder_name=e.payee.name,
    )  # a new card
    services.exception_mark_ready(actor=preparer, exception=exc, resolution="已换卡")

    # when: August is generated, and then September
    aug = pay(AUG)
    sep = pay(SEP)

    # then: August carries the July re-issue, September does not carry it again
    kinds = sorted(PaymentLine.objects.filter(run=aug).values_list("kind", "month"))
    assert kinds == [("regular", AUG), ("reissue", JUL)]
    assert list(PaymentLine.objects.filter(run=sep).values_list("kind", flat=True)) == ["regular"]
    exc.refresh_from_db()
    assert exc.status == "reissued"
    assert _payments_for(e.payee, JUL) == 1
    assert _net(person=e.payee) == 3 * 40000


def test_the_database_refuses_a_second_reissue_of_one_exception(pay, preparer):
    enroll()
    jul = pay(JUL)
    line = PaymentLine.objects.get(run=jul)
    services.bank_return_import(
        actor=preparer, run=jul, content=return_csv(jul, {line.pk: "销户"}), filename="r.csv"
    )
    exc = PaymentException.objects.get()
    services.exception_mark_ready(actor=preparer, exception=exc, resolution="已更正")
    aug = pay(AUG, export=False)
    reissue = PaymentLine.objects.get(run=aug, kind="reissue")

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            run=aug,
            kind="reissue",
            enrollment_id=reissue.enrollment_id,
            payee_id=reissue.payee_id,
            programme=reissue.programme,
            programme_group=reissue.programme_group,
            month=JUL,
            amount_fen=reissue.amount_fen,
            region_id=reissue.region_id,
            county_code="340521",
            source_exception=exc,
        )


def test_a_line_without_an_account_becomes_an_exception_at_export(pay):
    e = enroll(account=False)
    run = pay(JUL)
    line = PaymentLine.objects.get(run=run)
    assert (line.status, line.held_month) == ("failed", None)
    assert PaymentException.objects.get().reason == "无有效收款账户"
    assert _net(person=e.payee) == 0


# --- never paid twice ----------------------------------------------------------------------------


def test_mutually_exclusive_programmes_pay_the_child_once_a_month(preparer):
    # given: a child entitled both as 孤儿 and as 特困 in July (precedence: 孤儿 first)
    child = PersonFactory(birth_date=dt.date(2015, 3, 1))
    enroll("tekun", person=child, amount=90000)
    orphan = enroll("orphan", person=child, amount=120000)

    run = services.payroll_run_start(actor=preparer, programme="", month=JUL, region=region()).run

    lines = list(PaymentLine.objects.filter(run=run))
    assert [(ln.enrollment_id, ln.programme_group) for ln in lines] == [
        (orphan.pk, "basic_living_support")
    ]
    reasons = [s["reason"] for s in run.summary["excluded"]["sample"]]
    assert reasons == ["互斥项目：本月已发孤儿基本生活保障"]


def test_a_person_who_moved_town_is_paid_once_for_the_month_of_the_move(preparer):
    # given: ended in town A in July, started in town B in July
    person = PersonFactory()
    enroll(person=person, end=JUL)
    enroll(person=person, region=VILLAGE_B, start=JUL)

    a = services.payroll_run_start(
        actor=preparer, programme="dibao", month=JUL, region=region("340521104")
    ).run
    b = services.payroll_run_start(
        actor=preparer, programme="dibao", month=JUL, region=region("340521103")
    ).run

    assert (a.line_count, b.line_count) == (1, 0)
    assert PaymentLine.objects.filter(payee=person, held_month=JUL).count() == 1


def test_the_database_refuses_a_second_line_holding_the_same_month(pay):
    enroll()
    run = pay(JUL, export=False)
    line = PaymentLine.objects.get(run=run)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            run=run,
            enrollment_id=line.enrollment_id,
            payee_id=line.payee_id,
            programme="orphan",
            programme_group=line.programme_group,
            month=JUL,
            held_month=JUL,
            amount_fen=1,
            region_id=line.region_id,
            county_code="340521",
        )


# --- the database keeps history ----------------------------------------------------------------


def test_ledger_update_and_delete_are_refused_by_the_database(pay):
    enroll()
    pay(JUL)
    entry = LedgerEntry.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_fen=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("UPDATE payments_ledgerentry SET reason = 'x'")
    assert LedgerEntry.objects.get().amount_fen == entry.amount_fen


def test_a_frozen_line_cannot_change_its_amount_or_claim_a_month_again(pay):
    enroll()
    run = pay(JUL, export=False)
    line = PaymentLine.objects.get(run=run)
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(amount_fen=1)
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).delete()
    PaymentLine.objects.filter(pk=line.pk).update(held_month=None)  # releasing is allowed
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(held_month=JUL)


# --- recovery --------------------------------------------------------------------------------


def test_a_death_turns_later_paid_months_into_recovery_claims(pay, preparer):
    # given: paid July to September; died in August (not owed from September)
    e = enroll(amount=50000)
    for m in (JUL, AUG, SEP):
        pay(m)
    oct_run = pay(OCT, export=False)

    decision = services.recovery_decide(
        actor=preparer, person=e.payee, from_month=SEP, basis="death", reason="8月死亡"
    )

    # then: September is claimed back, the pending October line is cancelled
    assert decision.claim_fen == 50000
    assert decision.cancelled_lines == 1
    assert _net(person=e.payee) == 2 * 50000
    claim = LedgerEntry.objects.get(kind="recovery")
    assert (claim.month, claim.amount_fen, claim.decision_id) == (SEP, -50000, decision.pk)
    oct_run.refresh_from_db()
    assert oct_run.line_count == 0
    # and no later run pays those months again
    nov = services.payroll_run_start(
        actor=preparer, programme="", month=dt.date(2024, 11, 1), region=region()
    ).run
    assert nov.line_count == 0


def test_a_recovered_month_that_the_bank_returned_lowers_the_claim(pay, preparer):
    e = enroll(amount=50000)
    run = pay(JUL)
    services.recovery_decide(
        actor=preparer, person=e.payee, from_month=JUL, basis="fraud", reason="隐瞒收入"
    )
    line = PaymentLine.objects.get(run=run)

    services.bank_return_import(
        actor=preparer, run=run, content=return_csv(run, {line.pk: "销户"}), filename="r.csv"
    )

    assert _net(person=e.payee) == 0
    assert selectors.balances(person_id=e.payee_id) == {(e.payee_id, "dibao"): 0}
    assert RecoveryDecision.objects.get().entries.aggregate(s=Sum("amount_fen"))["s"] == 0


# --- back-pay after a raise ------------------------------------------------------------------


def test_back_pay_after_a_retroactive_raise_is_added_to_the_next_run(pay, preparer):
    # given: July and August paid at 500.00; in September the standard is raised from July
    e = enroll(amount=50000)
    pay(JUL)
    pay(AUG)
    from minzheng.assistance.models import EnrollmentAmount

    EnrollmentAmount.objects.create(enrollment=e, from_month=JUL, amount_fen=56000, reason="提标")

    decision = services.back_pay_compute(
        actor=preparer,
        programme="dibao",
        from_month=JUL,
        to_month=AUG,
        region=region(),
        reason="县政府2024年8月提标，7月起执行",
    )
    again = services.back_pay_compute(
        actor=preparer,
        programme="dibao",
        from_month=JUL,
        to_month=AUG,
        region=region(),
        reason="重复核算",
    )

    # then: 60.00 for each month, once
    assert (decision.item_count, decision.total_fen) == (2, 12000)
    assert again.item_count == 0
    sep = pay(SEP)
    got = sorted(PaymentLine.objects.filter(run=sep).values_list("kind", "month", "amount_fen"))
    assert got == [("back_pay", JUL, 6000), ("back_pay", AUG, 6000), ("regular", SEP, 56000)]
    assert set(BackPayItem.objects.values_list("status", flat=True)) == {"included"}
    assert _net(person=e.payee, month=JUL) == 56000
    assert LedgerEntry.objects.filter(kind="back_pay").count() == 2
    # a later computation finds nothing more to pay
    assert (
        services.back_pay_compute(
            actor=preparer,
            programme="dibao",
            from_month=JUL,
            to_month=AUG,
            region=region(),
            reason="复核",
        ).item_count
        == 0
    )


def test_a_cancelled_draft_gives_its_reissue_back_to_the_next_run(pay, preparer):
    enroll()
    jul = pay(JUL)
    line = PaymentLine.objects.get(run=jul)
    services.bank_return_import(
        actor=preparer, run=jul, content=return_csv(jul, {line.pk: "销户"}), filename="r.csv"
    )
    services.exception_mark_ready(
        actor=preparer, exception=PaymentException.objects.get(), resolution="已更正"
    )
    draft = pay(AUG, export=False)
    services.payroll_run_cancel(actor=preparer, run=draft, reason="重做")
    assert PaymentException.objects.get().status == "ready"

    redo = pay(AUG, export=False)

    assert sorted(PaymentLine.objects.filter(run=redo).values_list("kind", flat=True)) == [
        "regular",
        "reissue",
    ]
    assert PaymentException.objects.get().status == "reissued"
