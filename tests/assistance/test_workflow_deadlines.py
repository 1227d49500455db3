"""Deadlines in working days (the official holiday calendar), warnings and the overdue list,
and two users acting on one case at once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connections

from minzheng.assistance import workflow
from minzheng.assistance import workflow_selectors as sel
from minzheng.assistance.models import Application, Enrollment, EnrollmentAmount
from minzheng.core.exceptions import ConcurrentEditError, DomainError
from tests.assistance.fixtures import days_ago

S = Application.Status
# 2025: 国庆节 and 中秋节 1–8 October off; Sunday 28 September and Saturday 11 October worked.
MONDAY_BEFORE_NATIONAL_DAY = dt.date(2025, 9, 29)


def accepted_before_national_day(cadre, officer, household, **accept_kw):
    app = workflow.application_submit(
        actor=cadre, household=household, applicant=household.head, programme="dibao",
        channel="village_cadre", submitted_on=dt.date(2025, 9, 26),
        commitment_signed_on=dt.date(2025, 9, 26), authorisation_signed_on=dt.date(2025, 9, 26),
    )  # fmt: skip
    return workflow.application_accept(
        actor=officer, application=app, version=app.version,
        accepted_on=MONDAY_BEFORE_NATIONAL_DAY, **accept_kw,
    )  # fmt: skip


@pytest.mark.django_db
def test_investigation_must_start_within_three_working_days_across_national_day(
    cadre_a, officer_a, dibao_household
):
    app = accepted_before_national_day(cadre_a, officer_a, dibao_household)

    # 30 September, then 9 and 10 October: the holiday week does not count
    assert app.case.due_on == dt.date(2025, 10, 10)
    assert app.case.due_label == "开始入户调查"


@pytest.mark.django_db
def test_overall_limit_is_thirty_working_days_from_acceptance(cadre_a, officer_a, dibao_household):
    app = accepted_before_national_day(cadre_a, officer_a, dibao_household)
    app = workflow.investigation_start(
        actor=officer_a, application=app, version=app.version, started_on=dt.date(2025, 9, 30)
    )
    # counted: 30 Sep, 9–11 Oct (11th a make-up Saturday), then weekdays to 17 November
    assert app.case.due_on == dt.date(2025, 11, 17)
    assert app.case.due_label == "审核确认（办理时限）"

    workflow.case_extend(
        actor=officer_a, application=app, version=app.version, reason="人户分离，调查核实难度大"
    )
    app.refresh_from_db()
    assert app.case.due_on == dt.date(2025, 12, 8)  # 45 working days


@pytest.mark.django_db
def test_delegated_cases_have_twenty_working_days(cadre_a, officer_a, dibao_household):
    app = accepted_before_national_day(cadre_a, officer_a, dibao_household, delegated=True)
    app = workflow.investigation_start(
        actor=officer_a, application=app, version=app.version, started_on=dt.date(2025, 9, 30)
    )
    assert app.case.due_on == dt.date(2025, 11, 3)


@pytest.mark.django_db
def test_refusal_notice_is_due_three_working_days_after_the_decision(
    cadre_a, officer_a, county_officer, dibao_household
):
    app = accepted_before_national_day(cadre_a, officer_a, dibao_household)
    app = workflow.investigation_start(
        actor=officer_a, application=app, version=app.version, started_on=dt.date(2025, 9, 30)
    )
    workflow.investigation_record(actor=officer_a, application=app, version=app.version, kind="home_visit", visited_on=dt.date(2025, 9, 30), investigators=["甲", "乙"], findings="属实", household_signed=True)  # fmt: skip
    app.refresh_from_db()
    app = workflow.town_review(actor=officer_a, application=app, version=app.version, opinion="disagree", text="有机动车", reviewed_on=dt.date(2025, 9, 30), publicity_from=dt.date(2025, 9, 30))  # fmt: skip
    # the 公示 counts calendar days: 30 September to 6 October
    assert app.case.publicity_to == dt.date(2025, 10, 6)
    app = workflow.publicity_close(
        actor=officer_a, application=app, version=app.version, on=dt.date(2025, 10, 9)
    )
    # county: 10 working days from receipt on 9 October (Saturday 11 October counts)
    assert app.case.due_on == dt.date(2025, 10, 22)

    notice = workflow.application_refuse(
        actor=county_officer, application=app, version=app.version, reasons="拥有小汽车一辆",
        decided_on=dt.date(2025, 10, 9),
    )  # fmt: skip
    # 10 October, Saturday 11 October (worked), Monday 13 October
    assert notice.deliver_by == dt.date(2025, 10, 13)


@pytest.mark.django_db
def test_warnings_before_and_the_overdue_list_after_the_deadline(
    walk, officer_a, officer_b, dibao_household
):
    from tests.registry.factories import HouseholdFactory, IncomeFactory, PersonFactory

    late = walk(dibao_household, to="accepted")  # accepted 29 days ago: investigation overdue
    other = HouseholdFactory(head=PersonFactory(name="钱多多"))
    IncomeFactory(household=other, monthly_amount_fen=10000, started_on=dt.date(2020, 1, 1))
    fresh = workflow.application_submit(
        actor=officer_a, household=other, applicant=other.head, programme="dibao",
        channel="in_person", submitted_on=days_ago(0), commitment_signed_on=days_ago(0),
        authorisation_signed_on=days_ago(0),
    )  # fmt: skip
    fresh = workflow.application_accept(actor=officer_a, application=fresh, version=fresh.version)
    today = days_ago(0)

    overdue = list(sel.applications_for_user(officer_a, due="overdue", today=today))
    soon = list(sel.applications_for_user(officer_a, due="soon", today=today))

    assert overdue == [late]
    assert soon == [fresh]
    assert sel.due_state(late.case.due_on, today) == "overdue"
    assert sel.due_state(fresh.case.due_on, today) == "soon"
    # the other town sees neither
    assert sel.due_counts(officer_b, today) == {"overdue": 0, "soon": 0}


# --- two users at once ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_step_based_on_an_old_version_is_refused_with_a_clear_message(
    walk, county_officer, county_admin, dibao_household
):
    app = walk(dibao_household)
    seen = app.version  # both open the page

    workflow.application_approve(actor=county_officer, application=app, version=seen)
    with pytest.raises(ConcurrentEditError, match="已被他人处理，现在的状态是“已确认”"):
        workflow.application_approve(actor=county_admin, application=app, version=seen)

    assert Enrollment.objects.count() == 1
    assert EnrollmentAmount.objects.count() == 1


@pytest.mark.django_db
def test_a_double_click_on_approve_approves_once(walk, county_officer, dibao_household, client):
    app = walk(dibao_household)
    client.force_login(county_officer)
    url = f"/assistance/cases/{app.public_id}/approve/"
    data = {"approve-version": app.version}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert "已被他人处理" in second.content.decode()
    assert Enrollment.objects.filter(application=app).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_make_one_enrollment(
    walk, county_officer, county_admin, dibao_household
):
    app = walk(dibao_household)
    version = app.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor):
        # The in-memory test database answers "table is locked" instead of waiting as the
        # real one does (busy timeout): the losing thread then simply tries again.
        try:
            barrier.wait(timeout=10)
            for _ in range(200):
                try:
                    workflow.application_approve(
                        actor=actor, application=Application.objects.get(pk=app.pk), version=version
                    )
                except OperationalError:
                    time.sleep(0.02)
                    continue
                outcomes.append("approved")
                return
        except (ConcurrentEditError, DomainError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (county_officer, county_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["ConcurrentEditError", "approved"]
    assert Enrollment.objects.filter(application_id=app.pk).count() == 1
    assert Application.objects.get(pk=app.pk).status == S.APPROVED


@pytest.mark.django_db
def test_step_counts_group_the_cases_of_the_users_region(
    walk, officer_a, officer_b, dibao_household
):
    from tests.registry.factories import HouseholdFactory, PersonFactory

    walk(dibao_household, to="accepted")
    walk(HouseholdFactory(head=PersonFactory(name="钱多多")), to="accepted")
    walk(HouseholdFactory(head=PersonFactory(name="孙小美")), to="publicity")

    counts = sel.step_counts(officer_a)

    assert counts["investigate"] == 2
    assert counts["publicity"] == 1
    assert counts["accept"] == counts["county"] == counts["done"] == 0
    assert sum(sel.step_counts(officer_b).values()) == 0
