"""The demo county's assistance history: made by the workflow and the payroll services,
consistent with the ledger and the report's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from minzheng.assistance.models import Application, Enrollment, Notice, Programme
from minzheng.demo.history import simulate_history
from minzheng.geo.models import Region
from minzheng.payments.metrics import funds_total_fen
from minzheng.payments.models import LedgerEntry, PaymentLine, PaymentRun
from minzheng.registry.generator import generate_county
from minzheng.registry.models import Person
from minzheng.reports.registry import Scope

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 5, 31)


@pytest.fixture
def county_with_history(db):
    """A small county and its first five months (the simulation takes seconds: the checks
    below share one, in one test, rather than a module-scoped database fixture, which the
    flush of a transactional test running on the same worker would empty)."""
    generate_county(1500, 7, as_of=dt.date(2026, 6, 30))
    return simulate_history(seed=7, today=TODAY)


def test_the_simulated_history(county_with_history):
    result = county_with_history
    check_every_enrollment_comes_from_an_approved_application(result)
    check_ineligible_applicants_are_refused_with_a_notice()
    check_caseload_is_in_the_expected_range()
    check_each_month_is_paid_once_by_a_run_approved_by_a_second_person(result)
    check_the_rescue_station_receives_and_books_its_spending(result)
    check_the_demo_command_does_not_simulate_twice()
    check_a_second_simulation_takes_on_from_where_the_first_stopped()


def check_every_enrollment_comes_from_an_approved_application(result):
    enrollments = Enrollment.objects.select_related("application")

    assert {Programme.DIBAO, Programme.TEKUN, Programme.GAOLING} <= set(
        enrollments.values_list("programme", flat=True)
    )
    for e in enrollments:
        app = e.application
        assert app is not None
        assert app.status == Application.Status.APPROVED
        assert app.decided_on is not None and app.decided_on <= TODAY
        if e.programme != Programme.TEMPORARY:  # first aid is paid in its own month
            assert e.start_month > app.decided_on.replace(day=1)
            # submitted, accepted, investigated, reviewed (and publicised), decided
            assert app.events.count() >= 5
    assert sum(result.approved.values()) == enrollments.count()


def check_ineligible_applicants_are_refused_with_a_notice():
    refused = Application.objects.filter(status=Application.Status.REFUSED)

    assert refused.exists()
    for app in refused:
        notice = app.notices.get(kind=Notice.Kind.REFUSAL)
        assert app.assessment["verdict"] == "ineligible"
        assert notice.number
        assert notice.delivered_on is not None  # handed over, so nothing shows as overdue


def check_caseload_is_in_the_expected_range():
    living = Person.objects.filter(status=Person.Status.LIVING).count()
    dibao = Enrollment.objects.filter(programme=Programme.DIBAO).aggregate(
        n=Sum("covered_persons")
    )["n"]

    assert 0.01 * living <= dibao <= 0.04 * living


def check_each_month_is_paid_once_by_a_run_approved_by_a_second_person(result):
    runs = PaymentRun.objects.order_by("month")

    assert [r.month for r in runs] == [dt.date(2023, m, 1) for m in range(2, 6)]
    for run in runs:
        assert run.status == PaymentRun.Status.EXPORTED
        assert run.approved_by_id != run.prepared_by_id
    posted = LedgerEntry.objects.aggregate(s=Sum("amount_fen"))["s"]
    assert posted == sum(r.total_fen for r in runs) == result.paid_fen > 0
    twice = (
        PaymentLine.objects.values("payee_id", "programme", "month")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def check_the_demo_command_does_not_simulate_twice():
    before = Application.objects.count()

    call_command("demo", "--quiet", "--persons", "0", "--history", "now")

    assert Application.objects.count() == before


def check_the_rescue_station_receives_and_books_its_spending(result):
    from minzheng.rescue.models import RescueCase, RescueService

    county = Region.objects.get(code="340521")
    scope = Scope(start=dt.date(2023, 1, 1), end=TODAY, region=county)
    spent = RescueService.objects.aggregate(s=Sum("amount_fen"))["s"]

    assert RescueCase.objects.count() == result.rescue_cases > 0
    assert spent > 0
    closed = RescueCase.objects.exclude(status=RescueCase.Status.IN_CARE)
    assert closed.exists() and all(c.outcome_on >= c.received_on for c in closed)
    # the funds figure counts the station's spending beside the ledger
    ledger = LedgerEntry.objects.exclude(programme=Programme.GAOLING).aggregate(
        s=Sum("amount_fen")
    )["s"]
    assert funds_total_fen(scope) == ledger + spent


def check_a_second_simulation_takes_on_from_where_the_first_stopped():
    from minzheng.rescue.models import RescueCase

    before = (
        Application.objects.count(),
        PaymentRun.objects.count(),
        LedgerEntry.objects.count(),
        RescueCase.objects.count(),
    )

    again = simulate_history(seed=7, today=TODAY)

    after = (
        Application.objects.count(),
        PaymentRun.objects.count(),
        LedgerEntry.objects.count(),
        RescueCase.objects.count(),
    )
    assert after == before
    assert sum(again.applications.values()) == 0
    assert again.runs == PaymentRun.objects.count()  # every run found exported and counted


def test_the_demo_command_replaces_a_history_job_that_was_cut_short(db, monkeypatch):
    from minzheng.core.models import JobProgress
    from minzheng.demo.management.commands import demo as command

    generate_county(30, 1, as_of=dt.date(2026, 6, 30))
    stale = JobProgress.objects.create(
        kind="demo.history", title="生成演示县救助业务历史", status=JobProgress.Status.RUNNING
    )
    started = []
    monkeypatch.setattr(command.jobs, "job_start", lambda **kw: started.append(kw))

    call_command("demo", "--quiet", "--persons", "0", "--history", "background")

    stale.refresh_from_db()
    assert stale.status == JobProgress.Status.FAILED
    assert "中断" in stale.message
    assert [kw["kind"] for kw in started] == ["demo.history"]

    # once a history job is done, nothing more is started
    JobProgress.objects.create(
        kind="demo.history", title="生成演示县救助业务历史", status=JobProgress.Status.DONE
    )
    call_command("demo", "--quiet", "--persons", "0", "--history", "background")
    assert len(started) == 1
