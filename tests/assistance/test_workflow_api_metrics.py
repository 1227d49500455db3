"""``POST /api/v1/assess``, the report figures of social assistance, and 急难型临时救助
(先行救助 within the township limit, 一事一议 above the cap)."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.assistance import workflow
from minzheng.assistance.models import Application, Enrollment, EnrollmentAmount, ParameterValue
from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.geo.models import Region
from minzheng.reports.registry import Scope, registry
from minzheng.reports.selectors import drilldown_rows
from tests.assistance.fixtures import days_ago
from tests.conftest import COUNTY, TOWN_A, TOWN_B

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "programme": "dibao",
    "application_date": "2026-03-10",
    "region_code": "340521104",
    "area": "rural",
    "members": [{"relation": "self", "birth_date": "1970-01-01"}],
}


# --- API --------------------------------------------------------------------------------------


def test_assess_api_needs_a_login(client):
    resp = client.post("/api/v1/assess", PAYLOAD, content_type="application/json")
    assert resp.status_code == 401


def test_assess_api_decides_with_the_database_parameters(client, officer_a):
    ParameterValue.objects.filter(key="dibao_standard_rural_fen").update(value=90000)
    client.force_login(officer_a)

    resp = client.post("/api/v1/assess", PAYLOAD, content_type="application/json")

    assert resp.status_code == 200
    body = resp.json()
    assert body["ok"] is True
    assert body["decision"]["amount_fen"] == 90000
    assert body["decision"]["parameters"]["status"] == "待民政局确认"


def test_assess_api_answers_field_errors_like_the_engine(client, officer_a):
    client.force_login(officer_a)
    resp = client.post(
        "/api/v1/assess",
        {**PAYLOAD, "application_date": "10/03/2026"},
        content_type="application/json",
    )
    body = resp.json()
    assert body["ok"] is False
    assert body["errors"][0]["field"] == "application_date"


# --- metrics ----------------------------------------------------------------------------------


def _scope(code: str, end: dt.date) -> Scope:
    return Scope(start=dt.date(end.year, 1, 1), end=end, region=Region.objects.get(code=code))


@pytest.fixture
def enrolled(walk, county_officer, dibao_household):
    """One approved 低保 household (3 persons) in town A, paid from next month."""
    app = walk(dibao_household)
    return workflow.application_approve(actor=county_officer, application=app, version=app.version)


def test_dibao_figures_count_open_enrollments_as_of_the_end(enrolled):
    month = enrolled.start_month
    households = registry.get("assistance.dibao_households")
    persons = registry.get("assistance.dibao_persons")

    assert households.compute(_scope(COUNTY, month)) == 1
    assert persons.compute(_scope(COUNTY, month)) == 3
    assert households.compute(_scope(COUNTY, month - dt.timedelta(days=1))) == 0
    assert households.compute(_scope(TOWN_B, month)) == 0
    rows = list(drilldown_rows(households, _scope(TOWN_A, month)))
    assert [r[0] for r in rows] == ["张三丰"]
    assert rows[0][4] == 3


def test_an_ended_enrollment_is_not_counted_after_its_end(enrolled):
    Enrollment.objects.filter(pk=enrolled.pk).update(end_month=enrolled.start_month)
    after = enrolled.start_month + dt.timedelta(days=40)
    assert registry.get("assistance.dibao_households").compute(_scope(COUNTY, after)) == 0


def test_tekun_figures_split_dispersed_and_centralized(walk, county_officer, db):
    from tests.registry.factories import HouseholdFactory, PersonFactory

    old = HouseholdFactory(head=PersonFactory(name="孙老汉", birth_date=dt.date(1940, 1, 1)))
    app = walk(old, programme="tekun", choices={"care_mode": "dispersed"})
    e = workflow.application_approve(actor=county_officer, application=app, version=app.version)
    scope = _scope(COUNTY, e.start_month)

    assert registry.get("assistance.tekun_persons").compute(scope) == 1
    assert registry.get("assistance.tekun_dispersed_persons").compute(scope) == 1
    assert registry.get("assistance.tekun_centralized_persons").compute(scope) == 0
    assert e.variant == "dispersed"


# --- 临时救助 ----------------------------------------------------------------------------------


def incident(need_fen: int, kind: str = "emergency") -> dict:
    return {
        "incident": {
            "kind": kind,
            "cause": "fire",
            "date": days_ago(3).isoformat(),
            "need_fen": need_fen,
        }
    }


def test_emergency_first_aid_pays_at_once_within_the_township_limit(officer_a, dibao_household):
    app = workflow.application_submit(
        actor=officer_a, household=dibao_household, applicant=dibao_household.head,
        programme="temporary_assistance", channel="in_person", commitment_signed_on=days_ago(1),
        authorisation_signed_on=days_ago(1), submitted_on=days_ago(1), choices=incident(200000),
    )  # fmt: skip

    e = workflow.temporary_first_aid(actor=officer_a, application=app, version=app.version)

    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    assert app.case.first_aid and app.case.records_pending
    assert e.start_month == e.end_month == days_ago(0).replace(day=1)
    assert EnrollmentAmount.objects.get(enrollment=e).amount_fen == 200000
    workflow.first_aid_records_complete(
        actor=officer_a, application=app, version=app.version, note="已补签调查表"
    )
    app.case.refresh_from_db()
    assert app.case.records_pending is False


def test_first_aid_above_the_township_limit_goes_to_the_county(officer_a, dibao_household):
    app = workflow.application_submit(
        actor=officer_a, household=dibao_household, applicant=dibao_household.head,
        programme="temporary_assistance", channel="in_person", commitment_signed_on=days_ago(1),
        authorisation_signed_on=days_ago(1), submitted_on=days_ago(1), choices=incident(500000),
    )  # fmt: skip
    with pytest.raises(DomainError, match="超过乡镇审批额度"):
        workflow.temporary_first_aid(actor=officer_a, application=app, version=app.version)
    assert not Enrollment.objects.exists()


def test_expenditure_type_has_no_first_aid(officer_a, dibao_household):
    app = workflow.application_submit(
        actor=officer_a, household=dibao_household, applicant=dibao_household.head,
        programme="temporary_assistance", channel="in_person", commitment_signed_on=days_ago(1),
        authorisation_signed_on=days_ago(1), submitted_on=days_ago(1),
        choices=incident(200000, kind="expenditure"),
    )  # fmt: skip
    with pytest.raises(DomainError, match="急难型"):
        workflow.temporary_first_aid(actor=officer_a, application=app, version=app.version)


def test_above_the_cap_the_county_may_grant_more_by_case_by_case_decision(
    walk, county_officer, dibao_household
):
    app = walk(dibao_household, programme="temporary_assistance", choices=incident(1_000_000))
    cap = app.assessment["amount_fen"]
    assert cap == 850000  # 10 × 850 元

    with pytest.raises(DomainError, match="一事一议"):
        workflow.application_approve(
            actor=county_officer, application=app, version=app.version, amount_fen=1_000_000
        )
    e = workflow.application_approve(
        actor=county_officer, application=app, version=app.version, amount_fen=1_000_000,
        case_by_case_note="县困难群众基本生活保障协调机制2026年第3次会议",
    )  # fmt: skip

    app.refresh_from_db()
    assert app.case.case_by_case is True
    assert e.amounts.get().amount_fen == 1_000_000
    assert e.end_month == e.start_month  # paid once


def test_town_approves_temporary_assistance_within_its_limit(
    walk, officer_a, make_user, dibao_household
):
    colleague = make_user("officer_a2", "town_officer", TOWN_A)
    app = walk(
        dibao_household, programme="temporary_assistance", choices=incident(200000, "expenditure")
    )
    # the caseworker may not decide the case; a colleague of the township may
    with pytest.raises(PermissionDeniedError, match="经办人"):
        workflow.application_approve(actor=officer_a, application=app, version=app.version)
    e = workflow.application_approve(actor=colleague, application=app, version=app.version)
    assert e.amounts.get().amount_fen == 200000


def test_town_may_not_approve_temporary_assistance_above_its_limit(
    walk, make_user, dibao_household
):
    colleague = make_user("officer_a2", "town_officer", TOWN_A)
    app = walk(
        dibao_household, programme="temporary_assistance", choices=incident(400000, "expenditure")
    )
    with pytest.raises(PermissionDeniedError):
        workflow.application_approve(actor=colleague, application=app, version=app.version)
