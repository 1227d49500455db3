"""Registry pages: region scoping, masking, reveal, forms, inline editing, query budgets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import Household, IncomeItem, Person

from .factories import (
    VILLAGE_A,
    VILLAGE_B,
    AssetFactory,
    DisabilityFactory,
    HouseholdFactory,
    IncomeFactory,
    PersonFactory,
    add_member,
)

pytestmark = pytest.mark.django_db

HEAD_ID = "340521195001010017"
HEAD_PHONE = "13912345678"


@pytest.fixture
def household_a():
    return HouseholdFactory(head__name="王大明", head__id_number=HEAD_ID, head__phone=HEAD_PHONE)


@pytest.fixture
def household_b():
    return HouseholdFactory(head__name="石小桥", head__region_id=VILLAGE_B, address="石桥镇沛东村")


def body(resp) -> str:
    return resp.content.decode()


# --- list -----------------------------------------------------------------------------------


def test_household_list_shows_only_the_users_region(login_as, officer_a, household_a, household_b):
    resp = login_as(officer_a).get("/registry/households/")
    assert resp.status_code == 200
    assert "王大明" in body(resp)
    assert "石小桥" not in body(resp)


def test_county_admin_lists_every_town(login_as, county_admin, household_a, household_b):
    html = body(login_as(county_admin).get("/registry/households/"))
    assert "王大明" in html
    assert "石小桥" in html


def test_household_list_filters_by_disabled_member_and_aged(login_as, officer_a):
    with_disabled = HouseholdFactory(head__name="残户主")
    DisabilityFactory(person=with_disabled.head)
    aged = HouseholdFactory(head__name="老户主", head__birth_date=dt.date(1935, 1, 1))
    HouseholdFactory(head__name="普通户")
    client = login_as(officer_a)
    html = body(client.get("/registry/households/", {"disabled": "on"}))
    assert "残户主" in html
    assert "老户主" not in html
    assert "普通户" not in html
    html = body(client.get("/registry/households/", {"aged": "on"}))
    assert "老户主" in html
    assert "残户主" not in html
    assert aged.pk


def test_household_list_filters_by_size_and_village_and_search(login_as, officer_a):
    big = HouseholdFactory(head__name="大户")
    for _ in range(4):
        add_member(big)
    HouseholdFactory(head__name="坝华户", head__region_id="340521104202")
    client = login_as(officer_a)
    html = body(client.get("/registry/households/", {"size": "5+"}))
    assert "大户" in html
    assert "坝华户" not in html
    html = body(client.get("/registry/households/", {"village": "340521104202"}))
    assert "坝华户" in html
    assert "大户" not in html
    html = body(client.get("/registry/households/", {"q": "bhh"}))  # initials of 坝华户
    assert "坝华户" in html
    assert "大户" not in html


def test_household_list_htmx_request_returns_only_the_table(login_as, officer_a, household_a):
    resp = login_as(officer_a).get("/registry/households/", HTTP_HX_REQUEST="true")
    assert 'data-testid="household-table"' in body(resp)
    assert "<html" not in body(resp)


def test_household_list_query_count_is_bounded(login_as, officer_a, django_assert_max_num_queries):
    for i in range(25):
        h = HouseholdFactory(head__birth_date=dt.date(1930 + i, 1, 1))
        add_member(h)
        DisabilityFactory(person=h.head)
    client = login_as(officer_a)
    with django_assert_max_num_queries(12):
        resp = client.get("/registry/households/", {"sort": "-size"})
    assert resp.status_code == 200
    assert "第 1 / 2 页" in body(resp)


# --- detail and cross-region denial ---------------------------------------------------------


def test_household_page_shows_members_incomes_assets_and_history(login_as, officer_a, household_a):
    member = add_member(household_a, PersonFactory(name="王小明", birth_date=dt.date(2000, 1, 1)))
    DisabilityFactory(person=member, category="1", grade=1)
    services.income_add(
        actor=officer_a,
        household=household_a,
        category="wage",
        monthly_amount_fen=250050,
        started_on="2024-01-01",
        person=member,
    )
    AssetFactory(household=household_a, kind="real_estate", value_fen=1000000)
    html = body(login_as(officer_a).get(f"/registry/households/{household_a.public_id}/"))
    assert "王小明" in html
    assert "视力残疾一级" in html
    assert "2,500.50元" in html
    assert "房产" in html
    assert "新增收入：工资性收入 2,500.50元/月" in html  # history


CROSS_REGION_GETS = [
    "/registry/households/{h}/",
    "/registry/households/{h}/edit/",
    "/registry/households/{h}/members/add/",
    "/registry/households/{h}/incomes/add/",
    "/registry/households/{h}/assets/add/",
    "/registry/households/{h}/disabilities/add/",
    "/registry/households/{h}/health/add/",
    "/registry/households/{h}/employment/add/",
    "/registry/households/{h}/situations/add/",
    "/registry/persons/{p}/",
    "/registry/persons/{p}/edit/",
    "/registry/persons/{p}/status/",
    "/registry/incomes/{i}/",
    "/registry/incomes/{i}/edit/",
    "/registry/assets/{a}/edit/",
    "/registry/disabilities/{d}/edit/",
]
CROSS_REGION_POSTS = [
    "/registry/households/{h}/edit/",
    "/registry/households/{h}/members/add/",
    "/registry/households/{h}/incomes/add/",
    "/registry/households/{h}/documents/",
    "/registry/persons/{p}/edit/",
    "/registry/persons/{p}/status/",
    "/registry/persons/{p}/reveal/id_number/",
    "/registry/incomes/{i}/edit/",
    "/registry/incomes/{i}/delete/",
    "/registry/assets/{a}/delete/",
    "/registry/disabilities/{d}/delete/",
]


@pytest.fixture
def town_a_records(household_a):
    return {
        "h": household_a.public_id,
        "p": household_a.head.public_id,
        "i": IncomeFactory(household=household_a).public_id,
        "a": AssetFactory(household=household_a).public_id,
        "d": DisabilityFactory(person=household_a.head).public_id,
    }


@pytest.mark.parametrize("url", CROSS_REGION_GETS)
def test_town_b_officer_gets_404_for_town_a_pages(login_as, officer_b, town_a_records, url):
    resp = login_as(officer_b).get(url.format(**town_a_records))
    assert resp.status_code == 404
    assert "王大明" not in body(resp)


@pytest.mark.parametrize("url", CROSS_REGION_GETS)
def test_town_a_officer_opens_the_same_pages(login_as, officer_a, town_a_records, url):
    assert login_as(officer_a).get(url.format(**town_a_records)).status_code == 200


@pytest.mark.parametrize("url", CROSS_REGION_POSTS)
def test_town_b_officer_cannot_post_to_town_a_records(login_as, officer_b, town_a_records, url):
    before = AuditEvent.objects.count()
    resp = login_as(officer_b).post(
        url.format(**town_a_records),
        {"version": 1, "name": "改名", "address": "x", "on": "2024-01-01", "status": "deceased"},
    )
    assert resp.status_code == 404
    assert AuditEvent.objects.filter(action__startswith="registry.").count() == 0
    assert AuditEvent.objects.filter(action="pii.reveal").count() == 0
    assert AuditEvent.objects.count() == before + 1  # only officer_b's own log-in
    assert Person.objects.get(pk=Household.objects.get().head_id).name == "王大明"


def test_a_missing_household_looks_like_one_in_another_region(login_as, officer_b, household_a):
    client = login_as(officer_b)
    other = client.get(f"/registry/households/{household_a.public_id}/")
    missing = client.get("/registry/households/00000000-0000-0000-0000-000000000000/")
    assert other.status_code == missing.status_code == 404

    def main(resp):  # the work area; the shell carries per-response CSRF tokens and the path
        return re.search(r"<main.*</main>", body(resp), re.S).group(0)

    assert main(other) == main(missing)


def test_read_only_auditor_can_view_but_not_edit(login_as, auditor, household_a):
    client = login_as(auditor)
    assert client.get(f"/registry/households/{household_a.public_id}/").status_code == 200
    assert client.get(f"/registry/households/{household_a.public_id}/edit/").status_code == 403
    assert client.get("/registry/households/new/").status_code == 403


def test_administrators_see_no_registry_pages(login_as, admins, household_a):
    client = login_as(admins["system_admin"])
    assert client.get("/registry/households/").status_code == 403


def test_household_page_query_count_does_not_grow_with_members(
    login_as, officer_a, django_assert_max_num_queries
):
    small = HouseholdFactory(head__name="小户")
    big = HouseholdFactory(head__name="大户")
    for i in range(8):
        p = add_member(big, PersonFactory(birth_date=dt.date(1990, 1, 1 + i)))
        DisabilityFactory(person=p)
        IncomeFactory(household=big, person=p)
        AssetFactory(household=big, person=p)
        services.health_condition_add(actor=officer_a, person=p, description="高血压")
    client = login_as(officer_a)
    for h in (small, big):  # warm the per-process code-table caches
        client.get(f"/registry/households/{h.public_id}/")

    def count(h):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/registry/households/{h.public_id}/").status_code == 200
        return len(ctx.captured_queries)

    assert count(big) == count(small)
    with django_assert_max_num_queries(20):
        client.get(f"/registry/households/{big.public_id}/")


# --- masking and reveal ---------------------------------------------------------------------

PAGES_WITH_PII = [
    "/registry/households/",
    "/registry/households/{h}/",
    "/registry/persons/{p}/",
    "/registry/persons/{p}/edit/",
    "/registry/search/?q=wangdaming",
]


@pytest.mark.parametrize("url", PAGES_WITH_PII)
def test_full_id_and_phone_never_appear_without_reveal(login_as, officer_a, household_a, url):
    html = body(
        login_as(officer_a).get(url.format(h=household_a.public_id, p=household_a.head.public_id))
    )
    assert HEAD_ID not in html
    assert HEAD_PHONE not in html
    assert "340521********0017" in html


def test_reveal_shows_the_full_number_and_is_audited(login_as, officer_a, household_a):
    client = login_as(officer_a)
    page = body(client.get(f"/registry/households/{household_a.public_id}/"))
    assert 'data-testid="reveal-id_number"' in page
    resp = client.post(f"/registry/persons/{household_a.head.public_id}/reveal/id_number/")
    assert resp.status_code == 200
    assert HEAD_ID in body(resp)
    assert resp["Cache-Control"].startswith("max-age=0")
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.actor_id == officer_a.pk
    assert event.detail["field"] == "id_number"
    assert HEAD_ID not in str(event.detail)


def test_reveal_is_refused_without_the_permission(login_as, cadre_a, household_a):
    client = login_as(cadre_a)
    page = body(client.get(f"/registry/households/{household_a.public_id}/"))
    assert "查看完整" not in page
    resp = client.post(f"/registry/persons/{household_a.head.public_id}/reveal/phone/")
    assert resp.status_code == 403
    assert HEAD_PHONE not in body(resp)
    assert AuditEvent.objects.get(action="pii.reveal").outcome == "failure"


def test_reveal_needs_post(login_as, officer_a, household_a):
    resp = login_as(officer_a).get(
        f"/registry/persons/{household_a.head.public_id}/reveal/id_number/"
    )
    assert resp.status_code == 405


# --- search page ----------------------------------------------------------------------------


def test_search_page_finds_by_initials_in_the_users_region(
    login_as, officer_a, household_a, household_b
):
    html = body(login_as(officer_a).get("/registry/search/", {"q": "wdm"}))
    assert "王大明" in html
    assert "王大明户" in html
    html = body(login_as(officer_a).get("/registry/search/", {"q": "sxq"}))
    assert "石小桥" not in html
    assert "没有找到" in html


def test_search_page_denies_other_regions_by_id_number(login_as, officer_b, household_a):
    html = body(login_as(officer_b).get("/registry/search/", {"q": HEAD_ID}))
    assert "王大明" not in html
    assert "没有找到" in html


# --- forms ----------------------------------------------------------------------------------


def test_household_create_form_registers_head_and_household(login_as, officer_a):
    resp = login_as(officer_a).post(
        "/registry/households/new/",
        {
            "id_number": "340521200501010025",
            "name": "李梅",
            "region": VILLAGE_A,
            "hukou": "rural",
            "ethnicity": "01",
            "phone": "",
            "address": "桃元村3组",
        },
    )
    household = Household.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == f"/registry/households/{household.public_id}/"
    assert household.head.name == "李梅"


def test_household_create_form_shows_chinese_errors(login_as, officer_a):
    resp = login_as(officer_a).post(
        "/registry/households/new/",
        {
            "id_number": "340521195001010018",
            "name": "",
            "region": VILLAGE_A,
            "hukou": "",
            "ethnicity": "01",
        },
    )
    html = body(resp)
    assert resp.status_code == 200
    assert "此项为必填项" in html
    assert not Household.objects.exists()
    resp = login_as(officer_a).post(
        "/registry/households/new/",
        {
            "id_number": "340521195001010018",
            "name": "张三",
            "region": VILLAGE_A,
            "hukou": "rural",
            "ethnicity": "01",
        },
    )
    assert "校验码错误，应为 7" in body(resp)


def test_household_create_form_offers_only_own_villages(login_as, officer_a):
    html = body(login_as(officer_a).get("/registry/households/new/"))
    assert VILLAGE_A in html
    assert VILLAGE_B not in html


def test_member_add_form_names_the_other_household(login_as, officer_a, household_a):
    other = HouseholdFactory(head__name="李四")
    html = body(
        login_as(officer_a).post(
            f"/registry/households/{other.public_id}/members/add/",
            {
                "id_number": HEAD_ID,
                "relation": "20",
                "hukou": "rural",
                "ethnicity": "01",
            },
        )
    )
    assert "已属于王大明户" in html


def test_member_add_form_can_move_a_person_in(login_as, officer_a, household_a):
    son = add_member(household_a, PersonFactory(name="王二", id_number="340521200306150014"))
    other = HouseholdFactory(head__name="李四")
    resp = login_as(officer_a).post(
        f"/registry/households/{other.public_id}/members/add/",
        {
            "id_number": "340521200306150014",
            "relation": "28",
            "hukou": "rural",
            "ethnicity": "01",
            "move": "on",
            "living_together": "on",
        },
    )
    assert resp.status_code == 302
    assert son.memberships.get(ended_on__isnull=True).household == other


def test_person_edit_with_a_stale_version_shows_the_other_change(login_as, officer_a, household_a):
    person = household_a.head
    services.person_update(actor=officer_a, person=person, version=1, changes={"name": "王大民"})
    resp = login_as(officer_a).post(
        f"/registry/persons/{person.public_id}/edit/",
        {
            "name": "王达明",
            "region": VILLAGE_A,
            "hukou": "rural",
            "ethnicity": "01",
            "version": 1,
        },
    )
    assert resp.status_code == 409
    assert "姓名：王大明 → 王大民" in body(resp)
    person.refresh_from_db()
    assert person.name == "王大民"


def test_income_row_inline_edit_with_htmx(login_as, officer_a, household_a):
    income = IncomeFactory(household=household_a, monthly_amount_fen=100000)
    client = login_as(officer_a)
    form_row = body(
        client.get(f"/registry/incomes/{income.public_id}/edit/", HTTP_HX_REQUEST="true")
    )
    assert 'data-testid="income-row-form"' in form_row
    assert 'value="1000.00"' in form_row
    resp = client.post(
        f"/registry/incomes/{income.public_id}/edit/",
        {
            "category": "wage",
            "amount": "1234.56",
            "started_on": "2024-01-01",
            "source": "verified",
            "version": 1,
            "person": "",
            "note": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    assert 'data-testid="income-row"' in body(resp)
    assert "1,234.56元" in body(resp)
    income.refresh_from_db()
    assert (income.monthly_amount_fen, income.source, income.version) == (123456, "verified", 2)


def test_income_inline_edit_shows_validation_errors_in_the_row(login_as, officer_a, household_a):
    income = IncomeFactory(household=household_a)
    resp = login_as(officer_a).post(
        f"/registry/incomes/{income.public_id}/edit/",
        {
            "category": "wage",
            "amount": "-5",
            "started_on": "2024-02-01",
            "ended_on": "2024-01-01",
            "source": "declared",
            "version": 1,
        },
        HTTP_HX_REQUEST="true",
    )
    html = body(resp)
    assert 'data-testid="income-row-form"' in html
    assert "金额不能为负数" in html
    assert IncomeItem.objects.get().monthly_amount_fen == income.monthly_amount_fen


def test_mark_deceased_through_the_status_form(login_as, officer_a, household_a):
    member = add_member(household_a)
    resp = login_as(officer_a).post(
        f"/registry/persons/{member.public_id}/status/",
        {
            "status": "deceased",
            "on": "2024-06-01",
            "version": 1,
        },
    )
    assert resp.status_code == 302
    member.refresh_from_db()
    assert member.status == "deceased"


# --- dashboard and menu ---------------------------------------------------------------------


def test_dashboard_counts_registry_figures_for_the_users_region(
    login_as, officer_a, household_a, household_b
):
    add_member(household_a, PersonFactory(birth_date=dt.date(1930, 1, 1)))
    DisabilityFactory(person=household_a.head)
    html = body(login_as(officer_a).get("/"))
    assert re.search(r'data-testid="fig-persons">2<', html)
    assert re.search(r'data-testid="fig-households">1<', html)
    assert re.search(r'data-testid="fig-aged80">1<', html)
    assert re.search(r'data-testid="fig-disabled">1<', html)


def test_menu_has_the_registry_section(login_as, officer_a):
    html = body(login_as(officer_a).get("/"))
    assert "社会救助档案" in html
    assert html.index("社会救助档案") < html.index("后台任务")
    assert "/registry/households/new/" in html


def test_menu_hides_new_household_from_read_only_users(login_as, auditor):
    html = body(login_as(auditor).get("/"))
    assert "/registry/households/" in html
    assert "/registry/households/new/" not in html
