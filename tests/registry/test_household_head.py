"""Changing a household's head (户主变更): relations, history, audit, version, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    NotFoundOrNotYours,
    PermissionDeniedError,
)
from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import ChangeEntry, Household, Membership

from .factories import VILLAGE_A, VILLAGE_B, HouseholdFactory, PersonFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    """王大明 (head), his son 王小明 (20 子) and his wife 李芳 (10 配偶)."""
    household = HouseholdFactory(head__name="王大明")
    son = add_member(household, PersonFactory(name="王小明"), relation="20")
    wife = add_member(household, PersonFactory(name="李芳"), relation="10")
    return household, son, wife


def relation_of(household, person) -> str:
    return Membership.objects.get(
        household=household, person=person, ended_on__isnull=True
    ).relation


def test_the_son_becomes_head_and_the_father_gets_the_chosen_relation(officer_a, family):
    household, son, wife = family
    old_head = household.head

    result = services.household_change_head(
        actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
    )

    household.refresh_from_db()
    assert household.head_id == son.pk
    assert household.version == 2 == result.version
    assert relation_of(household, son) == "02"
    assert relation_of(household, old_head) == "51"
    assert relation_of(household, wife) == "10"  # the others are left as they were
    assert household.member_count == 3


def test_other_members_are_relabelled_to_the_new_head_when_asked(officer_a, family):
    household, son, wife = family

    services.household_change_head(
        actor=officer_a,
        household=household,
        new_head=son,
        old_head_relation="51",
        other_relations={wife.pk: "52"},
        version=1,
    )

    assert relation_of(household, wife) == "52"
    entry = ChangeEntry.objects.get(action="registry.household.change_head")
    assert ["李芳 与户主关系", "配偶", "母亲"] in entry.changes


def test_another_member_cannot_be_given_the_head_relation(officer_a, family):
    household, son, wife = family
    with pytest.raises(DomainError, match="请选择李芳与新户主的关系"):
        services.household_change_head(
            actor=officer_a,
            household=household,
            new_head=son,
            old_head_relation="51",
            other_relations={wife.pk: "02"},
            version=1,
        )
    assert relation_of(household, wife) == "10"
    assert relation_of(household, son) == "20"


def test_a_relation_for_someone_who_left_the_household_is_refused(officer_a, family):
    household, son, _ = family
    outsider = PersonFactory(name="张外人")
    with pytest.raises(DomainError, match="已不是本户现有成员"):
        services.household_change_head(
            actor=officer_a,
            household=household,
            new_head=son,
            old_head_relation="51",
            other_relations={outsider.pk: "80"},
            version=1,
        )


def test_the_change_is_one_history_entry_naming_old_and_new(officer_a, family):
    household, son, _ = family

    services.household_change_head(
        actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
    )

    entry = ChangeEntry.objects.get(household=household, action="registry.household.change_head")
    assert entry.summary == "户主由 王大明 变更为 王小明"
    assert entry.changes == [
        ["户主", "王大明", "王小明"],
        ["王小明 与户主关系", "子", "户主"],
        ["王大明 与户主关系", "户主", "父亲"],
    ]
    assert (entry.object_type, entry.object_id, entry.version) == ("household", household.pk, 2)
    assert entry.actor == officer_a


def test_the_change_is_audited_with_public_ids(officer_a, family):
    household, son, _ = family

    services.household_change_head(
        actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
    )

    event = AuditEvent.objects.get(action="registry.household.change_head")
    assert event.object_id == str(household.public_id)
    assert event.changes["head"] == [str(household.head.public_id), str(son.public_id)]
    assert event.detail["relations"][str(son.public_id)] == ["20", "02"]


def test_after_the_head_died_a_member_becomes_head_without_relabelling_the_dead(officer_a, family):
    household, son, _ = family
    services.person_mark_deceased(
        actor=officer_a, person=household.head, version=1, died_on=dt.date(2024, 3, 1)
    )

    services.household_change_head(actor=officer_a, household=household, new_head=son, version=1)

    household.refresh_from_db()
    assert household.head_id == son.pk
    assert relation_of(household, son) == "02"
    ended = Membership.objects.get(household=household, person__name="王大明")
    assert ended.relation == "02"  # the closed membership keeps what it was
    entry = ChangeEntry.objects.get(action="registry.household.change_head")
    assert entry.changes == [["户主", "王大明", "王小明"], ["王小明 与户主关系", "子", "户主"]]


def test_a_stale_version_is_refused_naming_the_other_change(officer_a, family):
    household, son, _ = family
    services.household_update(
        actor=officer_a, household=household, version=1, changes={"address": "塘南镇桃元村8号"}
    )

    with pytest.raises(ConcurrentEditError, match="已被他人修改") as exc:
        services.household_change_head(
            actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
        )

    assert "塘南镇桃元村8号" in exc.value.message
    household.refresh_from_db()
    assert household.head.name == "王大明"
    assert relation_of(household, son) == "20"


def test_a_second_head_change_based_on_the_same_page_is_refused(officer_a, family):
    household, son, wife = family
    services.household_change_head(
        actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
    )

    with pytest.raises(ConcurrentEditError, match="户主由 王大明 变更为 王小明"):
        services.household_change_head(
            actor=officer_a, household=household, new_head=wife, old_head_relation="10", version=1
        )


def test_a_deceased_member_cannot_become_head(officer_a, family):
    household, son, _ = family
    services.person_mark_deceased(
        actor=officer_a, person=son, version=1, died_on=dt.date(2024, 3, 1)
    )
    son.refresh_from_db()

    with pytest.raises(DomainError, match="王小明 已故，不能成为户主") as exc:
        services.household_change_head(
            actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
        )
    assert exc.value.field == "new_head"


def test_a_moved_out_member_cannot_become_head(officer_a, family):
    household, son, _ = family
    services.person_mark_moved_out(
        actor=officer_a, person=son, version=1, moved_out_on=dt.date(2024, 3, 1)
    )
    son.refresh_from_db()

    with pytest.raises(DomainError, match="王小明 已迁出，不能成为户主"):
        services.household_change_head(
            actor=officer_a, household=household, new_head=son, old_head_relation="51", version=1
        )


def test_a_person_of_another_household_cannot_become_head(officer_a, family):
    household, _, _ = family
    neighbour = HouseholdFactory(head__name="赵邻居").head

    with pytest.raises(DomainError, match="赵邻居 不是本户现有成员"):
        services.household_change_head(
            actor=officer_a,
            household=household,
            new_head=neighbour,
            old_head_relation="51",
            version=1,
        )
    assert Household.objects.get(pk=household.pk).version == 1


def test_the_current_head_cannot_be_made_head_again(officer_a, family):
    household, _, _ = family
    with pytest.raises(DomainError, match="王大明 已是本户户主"):
        services.household_change_head(
            actor=officer_a,
            household=household,
            new_head=household.head,
            old_head_relation="51",
            version=1,
        )


@pytest.mark.parametrize(
    ("relation", "message"), [("", "不在国家标准代码表中"), ("02", "只有一名户主")]
)
def test_the_old_head_needs_a_relation_other_than_head(officer_a, family, relation, message):
    household, son, _ = family
    with pytest.raises(DomainError, match=message) as exc:
        services.household_change_head(
            actor=officer_a,
            household=household,
            new_head=son,
            old_head_relation=relation,
            version=1,
        )
    assert exc.value.field == "old_head_relation"
    assert relation_of(household, son) == "20"


def test_an_officer_of_another_town_is_told_nothing(officer_b, family):
    household, son, _ = family
    with pytest.raises(NotFoundOrNotYours):
        services.household_change_head(
            actor=officer_b, household=household, new_head=son, old_head_relation="51", version=1
        )


def test_the_read_only_auditor_may_not_change_the_head(auditor, family):
    household, son, _ = family
    with pytest.raises(PermissionDeniedError):
        services.household_change_head(
            actor=auditor, household=household, new_head=son, old_head_relation="51", version=1
        )


def test_a_member_registered_in_another_village_may_become_head(county_admin):
    household = HouseholdFactory(head__name="王大明", head__region_id=VILLAGE_A)
    daughter = add_member(household, PersonFactory(name="王小红", region_id=VILLAGE_B), "30")

    services.household_change_head(
        actor=county_admin,
        household=household,
        new_head=daughter,
        old_head_relation="51",
        version=1,
    )

    assert Household.objects.get(pk=household.pk).head_id == daughter.pk


# --- the page ---------------------------------------------------------------------------------


def page_url(household) -> str:
    return f"/registry/households/{household.public_id}/head/"


def test_the_household_page_links_to_the_head_change_page(login_as, officer_a, family):
    household, _, _ = family
    html = login_as(officer_a).get(f"/registry/households/{household.public_id}/").content.decode()
    assert page_url(household) in html


def test_the_page_offers_the_other_members_and_asks_the_old_heads_relation(
    login_as, officer_a, family
):
    household, _, _ = family
    resp = login_as(officer_a).get(page_url(household))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "王小明（现为子）" in html
    assert "李芳（现为配偶）" in html
    assert "王大明（现为户主）" not in html
    assert "原户主王大明与新户主的关系" in html
    assert "李芳与新户主的关系" in html
    assert '<option value="10" selected>配偶</option>' in html  # starts from her relation now


def test_posting_the_form_changes_the_head_and_returns_to_the_household(
    login_as, officer_a, family
):
    household, son, wife = family
    resp = login_as(officer_a).post(
        page_url(household),
        {
            "new_head": str(son.public_id),
            "old_head_relation": "51",
            f"relation_{wife.public_id}": "52",
            f"relation_{son.public_id}": "20",  # ignored: he becomes the head
            "version": 1,
        },
    )
    assert resp.status_code == 302
    assert relation_of(household, wife) == "52"
    assert relation_of(household, son) == "02"
    assert resp["Location"] == f"/registry/households/{household.public_id}/#members"
    household.refresh_from_db()
    assert household.head_id == son.pk
    page = login_as(officer_a).get(f"/registry/households/{household.public_id}/")
    assert "户主由 王大明 变更为 王小明" in page.content.decode()


def test_a_stale_form_is_refused_with_409_and_the_other_change(login_as, officer_a, family):
    household, son, wife = family
    services.household_change_head(
        actor=officer_a, household=household, new_head=wife, old_head_relation="10", version=1
    )
    resp = login_as(officer_a).post(
        page_url(household),
        {"new_head": str(son.public_id), "old_head_relation": "51", "version": 1},
    )
    assert resp.status_code == 409
    assert "户主由 王大明 变更为 李芳" in resp.content.decode()
    assert Household.objects.get(pk=household.pk).head_id == wife.pk


def test_without_the_old_heads_relation_the_form_is_shown_again(login_as, officer_a, family):
    household, son, _ = family
    resp = login_as(officer_a).post(
        page_url(household), {"new_head": str(son.public_id), "version": 1}
    )
    assert resp.status_code == 200
    assert "此项为必填项" in resp.content.decode()
    assert Household.objects.get(pk=household.pk).head.name == "王大明"


def test_after_the_heads_death_the_page_does_not_ask_for_his_relation(login_as, officer_a, family):
    household, son, _ = family
    services.person_mark_deceased(
        actor=officer_a, person=household.head, version=1, died_on=dt.date(2024, 3, 1)
    )
    client = login_as(officer_a)
    html = client.get(page_url(household)).content.decode()
    assert "原户主王大明状态为“已故”" in html
    assert "old_head_relation" not in html
    resp = client.post(page_url(household), {"new_head": str(son.public_id), "version": 1})
    assert resp.status_code == 302
    assert Household.objects.get(pk=household.pk).head_id == son.pk


def test_an_officer_of_another_town_gets_404(login_as, officer_b, family):
    household, son, _ = family
    client = login_as(officer_b)
    assert client.get(page_url(household)).status_code == 404
    resp = client.post(
        page_url(household),
        {"new_head": str(son.public_id), "old_head_relation": "51", "version": 1},
    )
    assert resp.status_code == 404
    assert Household.objects.get(pk=household.pk).head.name == "王大明"


def test_the_auditor_may_not_open_the_page(login_as, auditor, family):
    household, _, _ = family
    assert login_as(auditor).get(page_url(household)).status_code == 403
