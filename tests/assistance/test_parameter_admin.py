"""The county's dated parameter table: loaded from the database only, edited by the county
administrator (a change closes the old row and adds a new one, audited), confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from minzheng.assistance import workflow
from minzheng.assistance import workflow_selectors as sel
from minzheng.assistance.models import ParameterValue
from minzheng.assistance.parameters import ParameterError
from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.core.models import AuditEvent
from tests.assistance.fixtures import days_ago
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db
KEY = "dibao_standard_rural_fen"


def test_the_table_is_built_from_the_database_rows(db):
    ParameterValue.objects.filter(county_code=COUNTY, key=KEY).update(value=90000)

    snapshot = sel.parameter_snapshot(COUNTY, dt.date(2026, 3, 1))

    assert snapshot.values.dibao_standard_rural_fen == 90000
    assert snapshot.status == "待民政局确认"


def test_a_county_without_rows_has_no_parameters_and_no_fall_back(db):
    ParameterValue.objects.filter(county_code=COUNTY).delete()
    with pytest.raises(ParameterError, match="没有生效的救助参数"):
        sel.parameter_snapshot(COUNTY, dt.date(2026, 3, 1))


def test_all_rows_confirmed_changes_the_label(db):
    ParameterValue.objects.filter(county_code=COUNTY).update(confirmed=True)
    assert sel.parameter_snapshot(COUNTY, dt.date(2026, 3, 1)).status == "民政局已确认"


def test_a_change_closes_the_old_row_and_adds_a_new_one_from_the_date(county_admin):
    row = workflow.parameter_change(
        actor=county_admin, county_code=COUNTY, key=KEY, value=88000,
        effective_from=dt.date(2026, 7, 1), basis="马政办〔2026〕12号",
    )  # fmt: skip

    old = ParameterValue.objects.get(
        county_code=COUNTY, key=KEY, effective_from=dt.date(2023, 1, 1)
    )
    assert old.effective_to == dt.date(2026, 6, 30)
    assert row.effective_to is None and row.confirmed is False
    assert (
        sel.parameter_snapshot(COUNTY, dt.date(2026, 6, 30)).values.dibao_standard_rural_fen
        == 85000
    )
    assert (
        sel.parameter_snapshot(COUNTY, dt.date(2026, 7, 1)).values.dibao_standard_rural_fen == 88000
    )
    event = AuditEvent.objects.get(action="assistance.parameter.change")
    assert event.changes == {"value": [85000, 88000]}


def test_a_change_the_engine_cannot_read_is_refused(county_admin):
    with pytest.raises(DomainError, match="取值"):
        workflow.parameter_change(
            actor=county_admin, county_code=COUNTY, key="dibao_edge_factor", value="abc",
            effective_from=dt.date(2026, 7, 1), basis="x",
        )  # fmt: skip
    with pytest.raises(DomainError, match="大于"):
        workflow.parameter_change(
            actor=county_admin, county_code=COUNTY, key=KEY, value=0,
            effective_from=dt.date(2026, 7, 1), basis="x",
        )  # fmt: skip
    assert ParameterValue.objects.filter(key=KEY).count() == 1


def test_a_change_may_not_start_before_the_latest_row(county_admin):
    with pytest.raises(DomainError, match="须晚于"):
        workflow.parameter_change(
            actor=county_admin, county_code=COUNTY, key=KEY, value=88000,
            effective_from=dt.date(2023, 1, 1), basis="x",
        )  # fmt: skip


@pytest.mark.parametrize("who", ["officer_a", "county_officer", "cadre_a"])
def test_only_the_county_administrator_edits_parameters(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDeniedError):
        workflow.parameter_change(
            actor=actor, county_code=COUNTY, key=KEY, value=88000,
            effective_from=dt.date(2026, 7, 1), basis="x",
        )  # fmt: skip


def test_confirming_a_row_is_audited(county_admin):
    row = ParameterValue.objects.get(county_code=COUNTY, key=KEY)
    workflow.parameter_confirm(actor=county_admin, row=row)
    row.refresh_from_db()
    assert row.confirmed is True
    assert AuditEvent.objects.filter(action="assistance.parameter.confirm").count() == 1
    with pytest.raises(DomainError, match="已确认"):
        workflow.parameter_confirm(actor=county_admin, row=row)


def test_an_unset_value_cannot_be_confirmed(county_admin):
    row = ParameterValue.objects.get(county_code=COUNTY, key="rigid_expense_income_share")
    with pytest.raises(DomainError, match="尚未设置"):
        workflow.parameter_confirm(actor=county_admin, row=row)


def test_the_engine_uses_the_changed_standard(county_admin, walk, dibao_household):
    today = days_ago(0)
    workflow.parameter_change(
        actor=county_admin, county_code=COUNTY, key=KEY, value=90000,
        effective_from=today - dt.timedelta(days=60), basis="测试",
    )  # fmt: skip
    app = walk(dibao_household, to="submitted")
    assert app.assessment["amount_fen"] == 90000 * 3 - 70000


def test_parameter_pages_list_history_and_take_a_new_value_in_yuan(county_admin, client):
    client.force_login(county_admin)
    html = client.get(reverse("assistance:parameters")).content.decode()
    assert "农村低保标准" in html and "850.00 元" in html and "待民政局确认" in html

    resp = client.post(
        reverse("assistance:parameter", args=[KEY]),
        {"value": "880.50", "effective_from": "2026-07-01", "basis": "马政办〔2026〕12号"},
    )

    assert resp.status_code == 302
    new = ParameterValue.objects.get(key=KEY, effective_from=dt.date(2026, 7, 1))
    assert new.value == 88050
    html = client.get(reverse("assistance:parameter", args=[KEY])).content.decode()
    assert "880.50 元" in html and "2026-06-30" in html


def test_a_town_officer_sees_the_parameters_but_cannot_change_them(officer_a, client):
    client.force_login(officer_a)
    assert client.get(reverse("assistance:parameters")).status_code == 200
    resp = client.post(
        reverse("assistance:parameter", args=[KEY]),
        {"value": "880", "effective_from": "2026-07-01", "basis": "x"},
    )
    assert resp.status_code == 403
    assert not ParameterValue.objects.filter(key=KEY, effective_from=dt.date(2026, 7, 1)).exists()
