"""The demo county's assistance history: made by the workflow and the payroll services,
consistent with the ledger and the report's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
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


@pytest.fixture(scope="module")
def _history(django_db_setup, django_db_blocker):
    """One simulated county for the whole module (it takes seconds), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate_county(1500, 7, as_of=dt.date(2026, 6, 30))
        yield simulate_history(seed=7, today=TODAY)
        transaction.set_rollback(True)


@pytest.fixture
def county_with_history(_history, db):
    return _history


def test_every_enrollment_comes_from_an_approved_application(county_with_history):
    result = county_with_history
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


def test_ineligible_applicants_are_refused_with_a_notice(county_with_history):
    refused = Application.objects.filter(status=Application.Status.REFUSED)

    assert refused.exists()
    for app in refused:
        notice = app.notices.get(kind=Notice.Kind.REFUSAL)
        assert app.assessment["verdict"] == "ineligible"
        assert notice.number
        assert notice.delivered_on is not None  # handed over, so nothing shows as overdue


def test_caseload_is_in_the_expected_range(county_with_history):
    living = Person.objects.filter(status=Person.Status.LIVING).count()
    dibao = Enrollment.objects.filter(programme=Programme.DIBAO).aggregate(
        n=Sum("covered_persons")
    )["n"]

    assert 0.01 * living <= dibao <= 0.04 * living


def test_each_month_is_paid_once_by_a_run_approved_by_a_second_person(county_with_history):
    result = county_with_history
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


def test_the_demo_command_does_not_simulate_twice(county_with_history):
    before = Application.objects.count()

    call_command("demo", "--quiet", "--persons", "0", "--history", "now")

    assert Application.objects.count() == before


def test_the_rescue_station_receives_and_books_its_spending(county_with_history):
    from minzheng.rescue.models import RescueCase, RescueService

    county = Region.objects.get(code="340521")
    scope = Scope(start=dt.date(2023, 1, 1), end=TODAY, region=county)
    spent = RescueService.objects.aggregate(s=Sum("amount_fen"))["s"]

    assert RescueCase.objects.count() == county_with_history.rescue_cases > 0
    assert spent > 0
    closed = RescueCase.objects.exclude(status=RescueCase.Status.IN_CARE)
    assert closed.exists() and all(c.outcome_on >= c.received_on for c in closed)
    # the funds figure counts the station's spending beside the ledger
    ledger = LedgerEntry.objects.exclude(programme=Programme.GAOLING).aggregate(
        s=Sum("amount_fen")
    )["s"]
    assert funds_total_fen(scope) == ledger + spent


def test_a_second_simulation_takes_on_from_where_the_first_stopped(county_with_history):
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


def test_the_demo_command_replaces_a_history_job_that_was_cut_short(
    county_with_history, monkeypatch
):
    from minzheng.core.models import JobProgress
    from minzheng.demo.management.commands import demo as command

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
