"""流浪乞讨救助: reception (identified or not), services with their cost, departure, follow-up
visits, per-case totals, the spending figure of a period, and the pages by role and region."""

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.geo.models import Region
from minzheng.reports.registry import Scope, registry
from minzheng.rescue import selectors, services
from minzheng.rescue.models import RescueCase
from tests.registry.factories import VILLAGE_A, VILLAGE_B, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=20)


def _case(actor, *, region=VILLAGE_A, person=None, on=DAY, **kw):
    return services.case_receive(
        actor=actor,
        received_on=on,
        found_place="姑孰镇汽车站广场",
        region_code=region,
        source="police",
        person=person,
        description=kw.pop("description", "男性，约50岁，灰色外套，说话带河南口音"),
        **kw,
    )


def _spend(actor, case, kind, yuan_fen, on=DAY):
    return services.service_add(
        actor=actor, case=case, kind=kind, provided_on=on, amount_fen=yuan_fen
    )


# --- reception ---------------------------------------------------------------------------------


def test_an_unidentified_person_is_received_with_a_description(officer_a):
    case = _case(officer_a, stated_name="老王")
    assert case.identity == RescueCase.Identity.UNIDENTIFIED
    assert case.case_number == f"LQ{DAY:%Y}-{case.pk:05d}"
    assert case.display_name == "老王"


def test_an_unidentified_person_without_a_description_is_refused(officer_a):
    with pytest.raises(DomainError, match="体貌特征") as exc:
        _case(officer_a, description="")
    assert exc.value.field == "description"


def test_a_person_of_the_registry_is_received_as_identified(officer_a):
    p = PersonFactory()
    case = _case(officer_a, person=p, description="")
    assert case.identity == RescueCase.Identity.IDENTIFIED
    assert case.display_name == p.name


def test_identity_found_later_links_the_record(officer_a):
    case = _case(officer_a)
    p = PersonFactory()
    services.case_identify(actor=officer_a, case=case, person=p)
    case.refresh_from_db()
    assert (case.identity, case.person) == (RescueCase.Identity.IDENTIFIED, p)


def test_reception_in_another_town_is_refused(officer_b):
    with pytest.raises(NotFoundOrNotYours):
        _case(officer_b, region=VILLAGE_A)
    assert not RescueCase.objects.exists()


def test_the_auditor_cannot_receive(auditor):
    with pytest.raises(PermissionDeniedError):
        _case(auditor)


# --- services and totals -----------------------------------------------------------------------


def test_case_total_is_the_sum_of_its_services_by_item(officer_a):
    case = _case(officer_a)
    _spend(officer_a, case, "meal", 4500)
    _spend(officer_a, case, "lodging", 6000)
    _spend(officer_a, case, "meal", 3000)
    _spend(officer_a, case, "ticket", 18650)
    totals = selectors.case_totals(case)
    assert totals["total_fen"] == 32150
    assert dict(totals["by_kind"]) == {"返乡车票": 18650, "饮食": 7500, "住宿": 6000}


def test_a_service_before_the_reception_is_refused(officer_a):
    case = _case(officer_a)
    with pytest.raises(DomainError, match="不能早于接收日期"):
        _spend(officer_a, case, "meal", 100, on=DAY - dt.timedelta(days=1))


def test_a_negative_amount_is_refused(officer_a):
    case = _case(officer_a)
    with pytest.raises(DomainError, match="不小于0"):
        _spend(officer_a, case, "medical", -1)


# --- departure and follow-up ------------------------------------------------------------------


def test_escort_home_needs_a_destination(officer_a):
    case = _case(officer_a)
    with pytest.raises(DomainError, match="去向"):
        services.case_close(actor=officer_a, case=case, outcome="escorted", outcome_on=DAY)
    closed = services.case_close(
        actor=officer_a,
        case=case,
        outcome="escorted",
        outcome_on=DAY + dt.timedelta(days=2),
        destination="护送至河南省周口市，交其子接收",
    )
    assert closed.status == RescueCase.Status.ESCORTED


def test_a_follow_up_visit_comes_after_departure(officer_a):
    case = _case(officer_a)
    with pytest.raises(DomainError, match="离站后"):
        services.followup_add(
            actor=officer_a, case=case, visited_on=TODAY, method="phone", situation="电话回访"
        )
    services.case_close(actor=officer_a, case=case, outcome="left", outcome_on=DAY)
    v = services.followup_add(
        actor=officer_a,
        case=case,
        visited_on=TODAY,
        method="phone",
        situation="已回家务农，生活稳定",
        returned_to_street=False,
    )
    assert v.case == case


def test_no_service_after_departure(officer_a):
    case = _case(officer_a)
    services.case_close(actor=officer_a, case=case, outcome="left", outcome_on=DAY)
    with pytest.raises(DomainError, match="离站日期"):
        _spend(officer_a, case, "meal", 100, on=DAY + dt.timedelta(days=1))


# --- the spending figure -----------------------------------------------------------------------


def test_spending_counts_services_in_the_period_and_region(officer_a, officer_b):
    a = _case(officer_a)
    b = _case(officer_b, region=VILLAGE_B)
    _spend(officer_a, a, "meal", 1000, on=DAY)
    _spend(officer_a, a, "ticket", 20000, on=DAY + dt.timedelta(days=5))
    _spend(officer_b, b, "lodging", 5000, on=DAY)
    assert selectors.rescue_spending_fen(DAY, DAY, "340521") == 6000
    assert selectors.rescue_spending_fen(DAY, TODAY, "340521") == 26000
    assert selectors.rescue_spending_fen(DAY, TODAY, "340521104") == 21000
    assert selectors.rescue_spending_fen(DAY + dt.timedelta(days=1), TODAY, "340521103") == 0


def test_the_report_metric_is_the_spending_with_its_records(officer_a):
    a = _case(officer_a)
    _spend(officer_a, a, "medical", 123456)
    metric = registry.get("assistance.vagrant_rescue_spending_wan")
    scope = Scope(start=DAY, end=TODAY, region=Region.objects.get(code="340521"))
    assert metric.compute(scope) == 123456
    assert metric.records(scope).count() == 1


# --- pages ------------------------------------------------------------------------------------


def test_case_list_shows_own_cases_with_totals(login_as, officer_a, officer_b):
    a = _case(officer_a, stated_name="甲某")
    _spend(officer_a, a, "meal", 4500)
    _case(officer_b, region=VILLAGE_B, stated_name="乙某")
    html = login_as(officer_a).get("/rescue/cases/").content.decode()
    assert "甲某" in html and "乙某" not in html
    assert "45.00" in html


def test_case_of_another_town_is_404(login_as, officer_b, officer_a):
    a = _case(officer_a)
    assert login_as(officer_b).get(f"/rescue/cases/{a.public_id}/").status_code == 404


def test_reception_through_the_page(login_as, officer_a):
    resp = login_as(officer_a).post(
        "/rescue/cases/new/",
        {
            "received_on": DAY.isoformat(),
            "source": "patrol",
            "found_place": "黄池镇菜市场",
            "region": VILLAGE_A,
            "id_number": "",
            "stated_name": "",
            "apparent_sex": "1",
            "apparent_age": "60",
            "description": "老年男性，行动迟缓，无法说清住址",
        },
    )
    assert resp.status_code == 302
    case = RescueCase.objects.get()
    assert case.apparent_age == 60


def test_adding_a_service_through_the_page(login_as, officer_a):
    case = _case(officer_a)
    resp = login_as(officer_a).post(
        f"/rescue/cases/{case.public_id}/service/",
        {"kind": "ticket", "provided_on": DAY.isoformat(), "quantity": "1", "amount": "186.50"},
    )
    assert resp.status_code == 302
    assert selectors.case_totals(case)["total_fen"] == 18650


def test_a_refused_service_shows_the_reason(login_as, officer_a):
    case = _case(officer_a)
    resp = login_as(officer_a).post(
        f"/rescue/cases/{case.public_id}/service/",
        {
            "kind": "meal",
            "provided_on": (DAY - dt.timedelta(days=3)).isoformat(),
            "quantity": "1",
            "amount": "10",
        },
    )
    assert resp.status_code == 400
    assert "不能早于接收日期" in resp.content.decode()


def test_auditor_reads_but_cannot_add(login_as, auditor, officer_a):
    case = _case(officer_a)
    client = login_as(auditor)
    assert client.get(f"/rescue/cases/{case.public_id}/").status_code == 200
    resp = client.post(
        f"/rescue/cases/{case.public_id}/service/",
        {"kind": "meal", "provided_on": DAY.isoformat(), "quantity": "1", "amount": "10"},
    )
    assert resp.status_code == 403
    assert selectors.case_totals(case)["total_fen"] == 0


def test_list_totals_are_not_multiplied_by_visits(login_as, officer_a):
    a = _case(officer_a, stated_name="甲某")
    _spend(officer_a, a, "meal", 4500)
    _spend(officer_a, a, "ticket", 20000)
    services.case_close(actor=officer_a, case=a, outcome="left", outcome_on=DAY)
    for situation in ("电话回访，生活稳定", "入户回访，已在家务农"):
        services.followup_add(
            actor=officer_a, case=a, visited_on=TODAY, method="phone", situation=situation
        )
    b = _case(officer_a, stated_name="乙某")
    _spend(officer_a, b, "meal", 3000)
    row = selectors.cases_for_user(officer_a).get(pk=a.pk)
    assert (row.spent_fen, row.n_visits) == (24500, 2)
    assert selectors.cases_total_fen(selectors.cases_for_user(officer_a)) == 27500
    html = login_as(officer_a).get("/rescue/cases/").content.decode()
    assert "275.00元" in html
