"""Rule-based: any sequence of runs, bank returns, re-issues, reversals, raises with back-pay
and recovery decisions keeps the ledger exact and never pays a month twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from minzheng.assistance.models import EnrollmentAmount
from minzheng.payments import selectors, services
from minzheng.payments.models import (
    BankLayout,
    LedgerEntry,
    PaymentException,
    PaymentLine,
    PaymentRun,
    RecoveryDecision,
)
from minzheng.payments.payroll import add_months
from tests.payments.factories import enroll, region
from tests.payments.helpers import return_csv
from tests.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db

MONTHS = [add_months(dt.date(2024, 7, 1), i) for i in range(5)]


class Payroll(RuleBasedStateMachine):
    preparer = None
    approver = None

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each example runs in a savepoint rolled back at teardown
        child = PersonFactory(birth_date=dt.date(2014, 1, 1))
        self.enrollments = [
            enroll("dibao", amount=50000),
            enroll("gaoling", amount=10000),
            enroll("orphan", person=child, amount=120000),
            enroll("tekun", person=child, amount=90000),
            enroll("dibao", start=MONTHS[1], end=MONTHS[3], amount=30000, region="340521103201"),
        ]
        self.layout = BankLayout.objects.get(code="generic")

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- rules -----------------------------------------------------------------------------

    @rule(month=st.sampled_from(MONTHS), programme=st.sampled_from(["", "dibao", "orphan"]))
    def run_month(self, month, programme):
        run = services.payroll_run_start(
            actor=self.preparer, programme=programme, month=month, region=region()
        ).run
        if run.status == "draft":
            run = services.payroll_run_review(actor=self.preparer, run=run)
        if run.status == "reviewed":
            run = services.payroll_run_approve(actor=self.approver, run=run)
        if run.status == "approved":
            services.payroll_run_export(
                actor=self.preparer, run=run, layout=self.layout, fmt="csv", booked_on=month
            )

    @rule(month=st.sampled_from(MONTHS), programme=st.sampled_from(["", "gaoling"]))
    def draft_and_cancel(self, month, programme):
        run = services.payroll_run_start(
            actor=self.preparer, programme=programme, month=month, region=region()
        ).run
        if run.status in ("draft", "reviewed", "approved"):
            services.payroll_run_cancel(actor=self.preparer, run=run, reason="重做")

    @precondition(lambda self: PaymentRun.objects.filter(status="exported").exists())
    @rule(data=st.data())
    def bank_return(self, data):
        run = data.draw(st.sampled_from(list(PaymentRun.objects.filter(status="exported"))))
        posted = list(
            PaymentLine.objects.filter(run=run, status="posted").values_list("pk", flat=True)
        )
        failing = data.draw(st.lists(st.sampled_from(posted), unique=True)) if posted else []
        services.bank_return_import(
            actor=self.preparer,
            run=run,
            content=return_csv(run, dict.fromkeys(failing, "账户已销户")),
            filename="r.csv",
        )

    @precondition(lambda self: PaymentException.objects.filter(status="open").exists())
    @rule(data=st.data())
    def fix_exception(self, data):
        exc = data.draw(st.sampled_from(list(PaymentException.objects.filter(status="open"))))
        services.exception_mark_ready(actor=self.preparer, exception=exc, resolution="已更正")

    @precondition(lambda self: PaymentLine.objects.filter(status="paid").exists())
    @rule(data=st.data())
    def reverse_a_paid_line(self, data):
        line = data.draw(st.sampled_from(list(PaymentLine.objects.filter(status="paid"))))
        services.payment_reverse(
            actor=self.preparer, line=line, reason="误发", booked_on=line.month
        )

    @rule(i=st.integers(0, 4), month=st.sampled_from(MONTHS))
    def recover(self, i, month):
        e = self.enrollments[i]
        services.recovery_decide(
            actor=self.preparer, person=e.payee, from_month=month, basis="death", reason="死亡"
        )

    @rule(i=st.sampled_from([0, 4]), month=st.sampled_from(MONTHS), raise_by=st.integers(1, 5000))
    def raise_standard(self, i, month, raise_by):
        e = self.enrollments[i]
        current = e.amounts.filter(from_month__lte=month).order_by("-from_month").first()
        if (
            current is None
            or EnrollmentAmount.objects.filter(enrollment=e, from_month=month).exists()
        ):
            return
        EnrollmentAmount.objects.create(
            enrollment=e, from_month=month, amount_fen=current.amount_fen + raise_by, reason="提标"
        )
        services.back_pay_compute(
            actor=self.preparer,
            programme="dibao",
            from_month=month,
            to_month=MONTHS[-1],
            region=region(),
            reason="提标补发",
        )

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def ledger_totals_are_the_sum_of_entries(self):
        total = LedgerEntry.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
        assert sum(selectors.balances().values()) == total
        by_kind = LedgerEntry.objects.values("kind").annotate(s=Sum("amount_fen"))
        assert sum(r["s"] for r in by_kind) == total

    @invariant()
    def no_balance_is_negative(self):
        assert all(v >= 0 for v in selectors.balances().values())
        months = (
            LedgerEntry.objects.values("enrollment_id", "month")
            .annotate(net=Sum("amount_fen"))
            .filter(net__lt=0)
        )
        assert not months.exists()

    @invariant()
    def a_month_is_paid_at_most_once_per_group(self):
        per_month = (
            LedgerEntry.objects.filter(kind="payment")
            .exclude(reversals__isnull=False)
            .values("person_id", "line__programme_group", "month")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not per_month.exists(), list(per_month)
        held = (
            PaymentLine.objects.filter(held_month__isnull=False)
            .values("payee_id", "programme_group", "held_month")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not held.exists()

    @invariant()
    def nothing_is_paid_beyond_what_is_owed_and_recovered_months_net_to_zero(self):
        for e in self.enrollments:
            for month in MONTHS:
                net = (
                    LedgerEntry.objects.filter(enrollment=e, month=month).aggregate(
                        s=Sum("amount_fen")
                    )["s"]
                    or 0
                )
                owed = e.amounts.filter(from_month__lte=month).order_by("-from_month").first()
                assert net <= (owed.amount_fen if owed else 0)
                covered = RecoveryDecision.objects.filter(
                    Q(enrollment__isnull=True) | Q(enrollment=e),
                    person=e.payee,
                    from_month__lte=month,
                ).exists()
                if covered:
                    assert net == 0

    @invariant()
    def run_totals_match_their_lines(self):
        for run in PaymentRun.objects.all():
            agg = (
                PaymentLine.objects.filter(run=run)
                .exclude(status="cancelled")
                .aggregate(n=Count("id"), s=Sum("amount_fen"))
            )
            assert (run.line_count, run.total_fen) == (agg["n"], agg["s"] or 0)


def test_any_sequence_keeps_the_ledger_exact(make_user):
    Payroll.preparer = make_user("prop_preparer", "county_admin", "340521")
    Payroll.approver = make_user("prop_approver", "county_admin", "340521")
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        Payroll,
        settings=settings(
            max_examples=15,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            database=None,
        ),
    )
