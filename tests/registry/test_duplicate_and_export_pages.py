"""Pages over the duplicates report and the household export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from minzheng.core.models import AuditEvent
from minzheng.registry.models import Person

from .datafiles import TAOYUAN, make_id
from .test_duplicates import add

pytestmark = pytest.mark.django_db


def test_duplicates_page_lists_a_group_and_merges_it(login_as, officer_a):
    a = add(TAOYUAN, ("王小明", make_id(1), None))[0]
    b = add(TAOYUAN, ("王小明", make_id(2), None))[0]
    client = login_as(officer_a)
    body = client.get("/registry/duplicates/").content.decode()
    assert body.count('data-testid="duplicate-group"') == 1
    assert "340521********" in body  # masked, never the full number
    assert a.id_number.reveal() not in body
    resp = client.post(
        "/registry/duplicates/merge/", {"keep": a.public_id, "duplicate": b.public_id}
    )
    assert resp.status_code == 302
    b.refresh_from_db()
    assert b.status == Person.Status.MOVED_OUT
    assert "没有疑似重复人员" in client.get("/registry/duplicates/").content.decode()


def test_dismissing_a_group_needs_a_reason(login_as, officer_a):
    add(TAOYUAN, ("李四", make_id(3), None))
    add(TAOYUAN, ("李四", make_id(4), None))
    client = login_as(officer_a)
    from minzheng.registry import duplicates

    key = duplicates.duplicate_candidates(officer_a)[0].key
    client.post("/registry/duplicates/dismiss/", {"key": key, "reason": ""})
    assert duplicates.duplicate_candidates(officer_a)
    client.post("/registry/duplicates/dismiss/", {"key": key, "reason": "两个不同的人"})
    assert not duplicates.duplicate_candidates(officer_a)


def test_other_towns_duplicates_are_not_shown(login_as, officer_b):
    add(TAOYUAN, ("赵六", make_id(5), None))
    add(TAOYUAN, ("赵六", make_id(6), None))
    assert "没有疑似重复人员" in login_as(officer_b).get("/registry/duplicates/").content.decode()


def test_household_list_exports_the_filtered_list_masked_and_audited(login_as, officer_a):
    person = add(TAOYUAN, ("钱七", make_id(7), None))[0]
    resp = login_as(officer_a).get("/registry/households/?export=xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    cells = [str(c.value) for row in wb.active.iter_rows() for c in row if c.value]
    assert "钱七" in cells
    assert person.id_number.reveal() not in cells
    assert AuditEvent.objects.filter(action="registry.export").exists()


def test_village_cadre_without_reveal_cannot_export_full_numbers(login_as, cadre_a):
    add(TAOYUAN, ("孙八", make_id(8), None))
    resp = login_as(cadre_a).get("/registry/households/?export=xlsx&reveal=1")
    assert resp.status_code == 403


def test_household_list_filters_by_programme(login_as, officer_a):
    import datetime as dt

    from minzheng.assistance.models import Enrollment

    on = add(TAOYUAN, ("低保户主", make_id(50), None))[0]
    add(TAOYUAN, ("普通户主", make_id(51), None))
    hh = on.memberships.get().household
    Enrollment.objects.create(
        programme="dibao",
        household=hh,
        payee=on,
        region_id=TAOYUAN,
        county_code="340521",
        start_month=dt.date(2024, 1, 1),
    )
    body = login_as(officer_a).get("/registry/households/?programme=dibao").content.decode()
    assert "低保户主" in body
    assert "普通户主" not in body
