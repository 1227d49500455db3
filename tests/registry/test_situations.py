"""Situations (服刑在押, 羁押, 强制隔离戒毒, 限制人身自由, 失联, 宣告失踪): services and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import ChangeEntry, Situation

from .factories import HouseholdFactory, PersonFactory, SituationFactory, add_member

pytestmark = pytest.mark.django_db

IMPRISONED = Situation.Kind.IMPRISONED
LOST_CONTACT = Situation.Kind.LOST_CONTACT


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def family():
    """王大明's household in town A with his son 王小明 (born 1995)."""
    household = HouseholdFactory(head__name="王大明")
    son = add_member(household, PersonFactory(name="王小明", birth_date=dt.date(1995, 6, 1)))
    return household, son


def body(resp) -> str:
    return resp.content.decode()


# --- situation_add --------------------------------------------------------------------------


def test_add_records_the_situation_with_an_audit_event_and_a_history_entry(officer_a, family):
    household, son = family

    s = services.situation_add(
        actor=officer_a,
        person=son,
        kind=IMPRISONED,
        since="2023-03-01",
        until="2099-02-28",
        basis=" （2023）皖0521刑初12号 ",
    )

    assert (s.kind, s.since, s.until) == (IMPRISONED, dt.date(2023, 3, 1), dt.date(2099, 2, 28))
    assert s.basis == "（2023）皖0521刑初12号"
    assert s.county_code == "340521"
    event = AuditEvent.objects.get(action="registry.situation.add")
    assert event.actor_id == officer_a.pk
    assert event.changes["kind"] == [None, "imprisoned"]
    entry = ChangeEntry.objects.get(action="registry.situation.add")
    assert entry.household_id == household.pk
    assert entry.person_id == son.pk
    assert "服刑在押" in entry.summary
    assert ["情形", "", "服刑在押"] in entry.changes


def test_an_expected_end_in_the_future_is_accepted_and_the_situation_is_in_force(officer_a, family):
    _, son = family

    s = services.situation_add(
        actor=officer_a, person=son, kind=IMPRISONED, since="2023-03-01", until="2099-01-01"
    )

    assert s.in_force(today())
    assert not services.situation_ended(s)


@pytest.mark.parametrize("kind", ["", "orphaned", "服刑在押"])
def test_an_unknown_kind_is_refused(officer_a, family, kind):
    _, son = family
    with pytest.raises(DomainError, match="请选择特殊情形") as exc:
        services.situation_add(actor=officer_a, person=son, kind=kind, since="2023-03-01")
    assert exc.value.field == "kind"
    assert not Situation.objects.exists()


def test_an_end_before_the_start_is_refused(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="结束日期不能早于起始日期") as exc:
        services.situation_add(
            actor=officer_a, person=son, kind=IMPRISONED, since="2023-03-01", until="2023-02-28"
        )
    assert exc.value.field == "until"


@pytest.mark.parametrize("kind", [LOST_CONTACT, Situation.Kind.DECLARED_MISSING])
def test_lost_contact_and_declared_missing_need_a_start_date(officer_a, family, kind):
    _, son = family
    with pytest.raises(DomainError, match="请填写失联（宣告失踪）的起始日期") as exc:
        services.situation_add(actor=officer_a, person=son, kind=kind)
    assert exc.value.field == "since"


def test_custody_may_be_recorded_without_a_known_start(officer_a, family):
    _, son = family
    s = services.situation_add(actor=officer_a, person=son, kind=Situation.Kind.DETAINED)
    assert s.since is None
    assert s.in_force(today())


def test_a_start_before_birth_is_refused(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="出生日期 1995-06-01"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="1995-05-31")


def test_a_start_after_today_is_refused(officer_a, family):
    _, son = family
    tomorrow = today() + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="起始日期不能晚于今天"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since=tomorrow)


def test_a_malformed_date_is_refused_with_the_expected_format(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="2024-01-31") as exc:
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2023/3/1")
    assert exc.value.field == "since"


def test_a_second_open_situation_of_the_same_kind_is_refused(officer_a, family):
    _, son = family
    services.situation_add(actor=officer_a, person=son, kind=LOST_CONTACT, since="2022-01-01")

    with pytest.raises(DomainError, match="重叠") as exc:
        services.situation_add(actor=officer_a, person=son, kind=LOST_CONTACT, since="2023-05-01")

    assert "失联" in exc.value.message
    assert Situation.objects.count() == 1
    assert AuditEvent.objects.filter(action="registry.situation.add").count() == 1


def test_a_period_overlapping_an_ended_one_of_the_same_kind_is_refused(officer_a, family):
    _, son = family
    SituationFactory(person=son, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))
    with pytest.raises(DomainError, match="重叠"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2018-06-01")


def test_a_later_period_of_the_same_kind_and_another_kind_at_once_are_accepted(officer_a, family):
    _, son = family
    SituationFactory(person=son, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))

    services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2021-01-01")
    services.situation_add(
        actor=officer_a, person=son, kind=Situation.Kind.COMPULSORY_DETOX, since="2021-01-01"
    )

    assert Situation.objects.filter(person=son).count() == 3


def test_an_officer_of_another_town_cannot_add(officer_b, family):
    _, son = family
    with pytest.raises(NotFoundOrNotYours):
        services.situation_add(actor=officer_b, person=son, kind=IMPRISONED, since="2023-03-01")
    assert not Situation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="registry.situation").exists()


def test_the_read_only_auditor_cannot_add(auditor, family):
    _, son = family
    with pytest.raises(PermissionDeniedError):
        services.situation_add(actor=auditor, person=son, kind=IMPRISONED, since="2023-03-01")


# --- situation_end --------------------------------------------------------------------------


def test_end_sets_the_end_date_and_is_audited(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, kind=LOST_CONTACT, since=dt.date(2022, 1, 1))

    services.situation_end(actor=officer_a, situation=s, until=today())

    s.refresh_from_db()
    assert s.until == today()
    event = AuditEvent.objects.get(action="registry.situation.end")
    assert event.changes["until"] == [None, today().isoformat()]
    assert ChangeEntry.objects.get(action="registry.situation.end").person_id == son.pk


def test_ending_twice_is_refused_with_a_chinese_message(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1))
    services.situation_end(actor=officer_a, situation=s, until="2024-06-30")

    with pytest.raises(DomainError, match="已于 2024-06-30 结束，不能再次登记结束"):
        services.situation_end(actor=officer_a, situation=s, until=today())

    s.refresh_from_db()
    assert s.until == dt.date(2024, 6, 30)
    assert AuditEvent.objects.filter(action="registry.situation.end").count() == 1


def test_a_sentence_with_an_expected_end_can_end_earlier(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1), until=dt.date(2099, 1, 1))

    services.situation_end(actor=officer_a, situation=s, until="2024-01-15")

    s.refresh_from_db()
    assert s.until == dt.date(2024, 1, 15)


def test_ending_in_the_future_is_refused(officer_a, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(DomainError, match="结束日期不能晚于今天"):
        services.situation_end(actor=officer_a, situation=s, until=today() + dt.timedelta(days=1))


def test_ending_before_the_start_is_refused(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1))
    with pytest.raises(DomainError, match="结束日期不能早于起始日期 2023-03-01"):
        services.situation_end(actor=officer_a, situation=s, until="2023-02-01")


def test_an_officer_of_another_town_cannot_end(officer_b, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(NotFoundOrNotYours):
        services.situation_end(actor=officer_b, situation=s, until=today())
    s.refresh_from_db()
    assert s.until is None


# --- situation_delete -----------------------------------------------------------------------


def test_delete_removes_the_entry_and_keeps_it_in_the_audit(officer_a, family):
    _, son = family
    s = SituationFactory(person=son)

    services.situation_delete(actor=officer_a, situation=s)

    assert not Situation.objects.exists()
    event = AuditEvent.objects.get(action="registry.situation.delete")
    assert event.changes["kind"] == ["imprisoned", None]
    assert "删除特殊情形" in ChangeEntry.objects.get(action="registry.situation.delete").summary


def test_an_officer_of_another_town_cannot_delete(officer_b, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(NotFoundOrNotYours):
        services.situation_delete(actor=officer_b, situation=s)
    assert Situation.objects.filter(pk=s.pk).exists()


# --- pages ----------------------------------------------------------------------------------


def test_the_household_page_offers_the_add_button(login_as, officer_a, family):
    household, _ = family
    html = body(login_as(officer_a).get(f"/registry/households/{household.public_id}/"))
    assert f"/registry/households/{household.public_id}/situations/add/" in html
    assert "登记特殊情形" in html


def test_the_household_page_shows_situations_with_the_ones_in_force_highlighted(
    login_as, officer_a, family
):
    household, son = family
    SituationFactory(
        person=son, kind=LOST_CONTACT, since=dt.date(2022, 1, 1), basis="派出所失联证明"
    )
    SituationFactory(person=son, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))

    html = body(login_as(officer_a).get(f"/registry/households/{household.public_id}/"))

    assert "失联" in html
    assert "2022-01-01 起" in html
    assert "派出所失联证明" in html
    assert "2015-01-01 至 2018-12-31" in html
    assert "（已结束）" in html
    assert html.count("data-in-force") == 1
    in_force = html.index("data-in-force")
    assert html.index("2022-01-01 起") > in_force > html.index("王小明")


def test_the_household_page_does_not_show_another_households_situations(
    login_as, officer_a, family
):
    household, _ = family
    SituationFactory(person=PersonFactory(name="外人"), basis="别人的判决书")
    html = body(login_as(officer_a).get(f"/registry/households/{household.public_id}/"))
    assert "别人的判决书" not in html


def test_household_page_queries_do_not_grow_with_situations(login_as, officer_a):
    plain = HouseholdFactory(head__name="小户")
    busy = HouseholdFactory(head__name="大户")
    for i in range(5):
        p = add_member(busy, PersonFactory(birth_date=dt.date(1990, 1, 1 + i)))
        SituationFactory(person=p)
        SituationFactory(person=p, kind=LOST_CONTACT)
    client = login_as(officer_a)
    for h in (plain, busy):  # warm the per-process code-table caches
        client.get(f"/registry/households/{h.public_id}/")

    def count(h):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/registry/households/{h.public_id}/").status_code == 200
        return len(ctx.captured_queries)

    assert count(busy) == count(plain)


def test_the_add_form_lists_the_current_members(login_as, officer_a, family):
    household, _ = family
    resp = login_as(officer_a).get(f"/registry/households/{household.public_id}/situations/add/")
    assert resp.status_code == 200
    html = body(resp)
    assert "王小明" in html
    assert "服刑在押" in html
    assert "被宣告失踪" in html


def test_posting_the_add_form_records_the_situation(login_as, officer_a, family):
    household, son = family
    resp = login_as(officer_a).post(
        f"/registry/households/{household.public_id}/situations/add/",
        {"person": str(son.public_id), "kind": "imprisoned", "since": "2023-03-01", "basis": "X"},
    )
    assert resp.status_code == 302
    assert resp["Location"] == f"/registry/households/{household.public_id}/#members"
    s = Situation.objects.get()
    assert (s.person_id, s.kind, s.since, s.basis) == (
        son.pk,
        "imprisoned",
        dt.date(2023, 3, 1),
        "X",
    )


def test_an_invalid_add_form_shows_the_error_and_records_nothing(login_as, officer_a, family):
    household, son = family
    resp = login_as(officer_a).post(
        f"/registry/households/{household.public_id}/situations/add/",
        {"person": str(son.public_id), "kind": "lost_contact", "until": "2023-01-01"},
    )
    assert resp.status_code == 200
    assert "请填写失联（宣告失踪）的起始日期" in body(resp)
    assert not Situation.objects.exists()


def test_the_add_form_shows_an_end_before_the_start(login_as, officer_a, family):
    household, son = family
    resp = login_as(officer_a).post(
        f"/registry/households/{household.public_id}/situations/add/",
        {
            "person": str(son.public_id),
            "kind": "imprisoned",
            "since": "2023-03-01",
            "until": "2023-01-01",
        },
    )
    assert resp.status_code == 200
    assert "结束日期不能早于起始日期" in body(resp)


def test_the_add_form_refuses_a_person_of_another_household(login_as, officer_a, family):
    household, _ = family
    outsider = PersonFactory(name="外人")
    resp = login_as(officer_a).post(
        f"/registry/households/{household.public_id}/situations/add/",
        {"person": str(outsider.public_id), "kind": "imprisoned", "since": "2023-03-01"},
    )
    assert resp.status_code == 200
    assert not Situation.objects.exists()


def test_the_end_page_ends_the_situation(login_as, officer_a, family):
    household, son = family
    s = SituationFactory(person=son)
    client = login_as(officer_a)
    url = f"/registry/situations/{s.public_id}/end/"

    assert client.get(url).status_code == 200
    resp = client.post(url, {"until": "2024-06-30"})

    assert resp.status_code == 302
    assert resp["Location"] == f"/registry/households/{household.public_id}/#members"
    s.refresh_from_db()
    assert s.until == dt.date(2024, 6, 30)


def test_a_second_post_of_the_end_page_shows_that_it_already_ended(login_as, officer_a, family):
    _, son = family
    s = SituationFactory(person=son)
    client = login_as(officer_a)
    url = f"/registry/situations/{s.public_id}/end/"
    client.post(url, {"until": "2024-06-30"})

    resp = client.post(url, {"until": "2024-07-01"})

    assert resp.status_code == 200
    assert "已于 2024-06-30 结束，不能再次登记结束" in body(resp)
    s.refresh_from_db()
    assert s.until == dt.date(2024, 6, 30)


def test_the_end_page_of_an_ended_situation_offers_only_deletion(login_as, officer_a, family):
    _, son = family
    s = SituationFactory(person=son, until=dt.date(2024, 6, 30))
    html = body(login_as(officer_a).get(f"/registry/situations/{s.public_id}/end/"))
    assert "此情形已经结束" in html
    assert 'data-testid="edit-form"' not in html
    assert f"/registry/situations/{s.public_id}/delete/" in html


def test_the_delete_button_removes_the_situation(login_as, officer_a, family):
    household, son = family
    s = SituationFactory(person=son)
    resp = login_as(officer_a).post(f"/registry/situations/{s.public_id}/delete/")
    assert resp.status_code == 302
    assert resp["Location"] == f"/registry/households/{household.public_id}/#members"
    assert not Situation.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/registry/households/{h}/situations/add/"),
        ("post", "/registry/households/{h}/situations/add/"),
        ("get", "/registry/situations/{s}/end/"),
        ("post", "/registry/situations/{s}/end/"),
        ("post", "/registry/situations/{s}/delete/"),
    ],
)
def test_an_officer_of_another_town_gets_404(login_as, officer_b, family, method, url):
    household, son = family
    s = SituationFactory(person=son)
    client = login_as(officer_b)
    data = {"person": str(son.public_id), "kind": "imprisoned", "until": "2024-06-30"}
    resp = getattr(client, method)(url.format(h=household.public_id, s=s.public_id), data)
    assert resp.status_code == 404
    s.refresh_from_db()
    assert s.until is None
    assert Situation.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="registry.situation").exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/registry/households/{h}/situations/add/"),
        ("get", "/registry/situations/{s}/end/"),
        ("post", "/registry/situations/{s}/delete/"),
    ],
)
def test_the_read_only_auditor_is_refused(login_as, auditor, family, method, url):
    household, son = family
    s = SituationFactory(person=son)
    resp = getattr(login_as(auditor), method)(url.format(h=household.public_id, s=s.public_id))
    assert resp.status_code == 403
    assert Situation.objects.filter(pk=s.pk).exists()
