"""The report page, downloads and drill-down lists: allowed and denied per role and region,
and every download (and every refused one) in the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from minzheng.core.models import AuditEvent
from minzheng.geo.models import Region
from minzheng.reports.figures import NOT_CONNECTED
from minzheng.reports.registry import registry

from ..conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A
from .conftest import SEED_TEMPLATE_DOCX, SEED_TEMPLATE_TXT

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2023-01-01", "to": "2023-09-30"}


def villages(code: str) -> int:
    return Region.objects.filter(code__startswith=code, level="village").count()


def exports():
    return AuditEvent.objects.filter(action="report.export").order_by("seq")


# --- the page ----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    resp = client.get("/reports/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


def test_county_administrator_sees_county_figures_and_every_town(login_as, county_admin):
    resp = login_as(county_admin).get("/reports/", {**PERIOD, "region": COUNTY})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "工作报告与统计 · 当涂县" in body
    assert 'data-testid="value-geo.villages"><a href="/reports/drilldown/geo.villages/' in body
    assert f">{villages(COUNTY)}</a>" in body
    assert f'<option value="{TOWN_B}">' in body and f'<option value="{TOWN_A}">' in body
    assert body.count(f'<span class="text-muted">{NOT_CONNECTED}</span>') == 36
    assert 'data-testid="download-docx"' in body


def test_the_page_defaults_to_the_users_own_region(login_as, officer_a):
    body = login_as(officer_a).get("/reports/").content.decode()
    assert "工作报告与统计 · 塘南镇" in body
    assert f'<option value="{TOWN_A}" selected>' in body


def test_a_town_officer_picks_only_within_the_town(login_as, officer_a):
    body = login_as(officer_a).get("/reports/", {**PERIOD, "region": TOWN_A}).content.decode()
    assert f'<option value="{TOWN_A}"' in body and f'<option value="{VILLAGE_A}">' in body
    assert f'value="{TOWN_B}"' not in body and f'value="{COUNTY}"' not in body
    assert "石桥镇" not in body
    assert f">{villages(TOWN_A)}</a>" in body


def test_a_town_officer_may_report_on_a_village_of_the_town(login_as, officer_a):
    resp = login_as(officer_a).get("/reports/", {**PERIOD, "region": VILLAGE_A})
    assert resp.status_code == 200
    assert "工作报告与统计 · 桃元村" in resp.content.decode()


@pytest.mark.parametrize("region", [TOWN_B, COUNTY, "340503", "999999999"])
def test_a_town_officer_cannot_request_another_town_the_county_or_an_unknown_region(
    login_as, officer_a, region
):
    resp = login_as(officer_a).get("/reports/", {**PERIOD, "region": region})
    assert resp.status_code == 403
    assert "所选区域不存在或不在您的管辖范围内" in resp.content.decode()


def test_a_village_cadre_cannot_request_the_town(login_as, cadre_a):
    client = login_as(cadre_a)
    assert client.get("/reports/", {**PERIOD, "region": TOWN_A}).status_code == 403
    assert client.get("/reports/", {**PERIOD, "region": VILLAGE_A}).status_code == 200


def test_roles_without_the_report_permission_are_refused(login_as, make_user):
    operator = make_user("jigou", "institution_operator", TOWN_B)
    resp = login_as(operator).get("/reports/")
    assert resp.status_code == 403


def test_the_three_administrators_see_no_reports(login_as, admins):
    for user in admins.values():
        client = login_as(user)
        assert client.get("/reports/").status_code == 403
        assert (
            client.get("/reports/download/json/", {**PERIOD, "region": COUNTY}).status_code == 403
        )
        client.logout()


def test_an_impossible_period_is_explained(login_as, county_admin):
    resp = login_as(county_admin).get(
        "/reports/", {"from": "2023-09-30", "to": "2023-01-01", "region": COUNTY}
    )
    assert resp.status_code == 400
    assert "截止日期不能早于起始日期" in resp.content.decode()


def test_the_menu_links_to_the_page_for_roles_that_may_see_it(login_as, officer_a, make_user):
    assert 'href="/reports/"' in login_as(officer_a).get("/").content.decode()


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "txt", "json"])
def test_each_download_is_a_file_and_is_audited(login_as, officer_a, fmt):
    resp = login_as(officer_a).get(f"/reports/download/{fmt}/", {**PERIOD, "region": TOWN_A})
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"] and f".{fmt}" in resp["Content-Disposition"]
    event = exports().get()
    assert (event.actor_username, event.region_code, event.outcome) == (
        "officer_a",
        TOWN_A,
        "success",
    )
    assert event.detail["format"] == fmt
    assert event.detail["from"] == "2023-01-01" and event.detail["to"] == "2023-09-30"
    assert event.detail["bytes"] == len(resp.content)
    assert event.detail["channel"] == "web"


def test_the_word_download_carries_the_users_region_figures(login_as, officer_a):
    resp = login_as(officer_a).get("/reports/download/docx/", {**PERIOD, "region": TOWN_A})
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert f"行政村{villages(TOWN_A)}个" in text
    assert "#署名" not in text and "塘南镇人民政府" in text


def test_the_json_download_has_every_key(login_as, auditor):
    resp = login_as(auditor).get("/reports/download/json/", {**PERIOD, "region": COUNTY})
    data = json.loads(resp.content)
    # every figure of the registry: the catalogue's and those apps add (geo, rescue …)
    assert set(data["metrics"]) == {m.key for m in registry.metrics()}
    assert len(data["metrics"]) >= 44
    assert data["metrics"]["geo.villages"]["value"] == villages(COUNTY)


@pytest.mark.parametrize("region", [TOWN_B, COUNTY])
def test_a_download_outside_the_users_region_is_refused_and_audited(login_as, officer_a, region):
    resp = login_as(officer_a).get("/reports/download/docx/", {**PERIOD, "region": region})
    assert resp.status_code == 403
    event = exports().get()
    assert (event.outcome, event.region_code, event.actor_username) == (
        "failure",
        region,
        "officer_a",
    )
    assert event.detail["reason"] == "所选区域不存在或不在您的管辖范围内"


def test_downloads_need_the_export_permission(login_as, officer_a):
    from minzheng.accounts.models import RolePermission

    RolePermission.objects.filter(role="town_officer", perm="data.export").delete()
    client = login_as(officer_a)
    page = client.get("/reports/", {**PERIOD, "region": TOWN_A}).content.decode()
    assert 'data-testid="download-docx"' not in page
    assert "您的角色没有导出数据的权限" in page
    resp = client.get("/reports/download/docx/", {**PERIOD, "region": TOWN_A})
    assert resp.status_code == 403
    assert not exports().exists()


def test_an_unknown_format_is_not_found(login_as, county_admin):
    resp = login_as(county_admin).get("/reports/download/exe/", {**PERIOD, "region": COUNTY})
    assert resp.status_code == 404


# --- the user's own template ----------------------------------------------------------------------


def upload(client, name: str, data: bytes, region: str):
    return client.post(
        "/reports/template/",
        {**PERIOD, "region": region, "template": SimpleUploadedFile(name, data)},
    )


def test_the_seed_word_template_is_filled_and_audited(login_as, county_admin, shared_file):
    data = shared_file(SEED_TEMPLATE_DOCX).read_bytes()
    resp = upload(login_as(county_admin), "我的模板.docx", data, COUNTY)
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert text.count(NOT_CONNECTED) == 32 and "{{" not in text
    event = exports().get()
    assert (event.outcome, event.detail["template"], event.detail["format"]) == (
        "success",
        "我的模板.docx",
        "docx",
    )
    assert event.detail["not_connected"] == 32


def test_a_text_template_is_filled(login_as, officer_a, shared_file):
    resp = upload(
        login_as(officer_a), "模板.txt", shared_file(SEED_TEMPLATE_TXT).read_bytes(), TOWN_A
    )
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/plain")
    assert "共计0.00万元" in resp.content.decode()


def test_a_template_error_is_shown_in_chinese_and_audited(login_as, officer_a):
    resp = upload(login_as(officer_a), "错.txt", "村{{ geo.vilages }}个".encode(), TOWN_A)
    assert resp.status_code == 400
    body = resp.content.decode()
    assert 'data-testid="template-error"' in body
    assert "系统不认识的占位符：{{ geo.vilages }}（第1行）" in body
    event = exports().get()
    assert event.outcome == "failure" and "geo.vilages" in event.detail["reason"]


def test_a_template_for_another_town_is_refused(login_as, officer_a):
    resp = upload(login_as(officer_a), "模板.txt", b"{{ geo.villages }}", TOWN_B)
    assert resp.status_code == 403
    assert exports().get().outcome == "failure"


def test_only_word_and_text_templates_are_accepted(login_as, officer_a):
    resp = upload(login_as(officer_a), "模板.xlsx", b"PK\x03\x04", TOWN_A)
    assert resp.status_code == 400
    assert "不支持的模板类型“.xlsx”" in resp.content.decode()


# --- drill-down ----------------------------------------------------------------------------------


def test_a_figure_drills_down_to_its_records(login_as, officer_a, django_assert_max_num_queries):
    client = login_as(officer_a)
    with django_assert_max_num_queries(15):
        resp = client.get("/reports/drilldown/geo.villages/", {**PERIOD, "region": TOWN_A})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert f'data-testid="drilldown-figure">{villages(TOWN_A)}<' in body
    assert body.count("<tr><td>340521104") == villages(TOWN_A)
    assert "桃元村" in body and "塘南镇" in body


def test_a_drilldown_outside_the_users_region_is_refused(login_as, officer_a):
    resp = login_as(officer_a).get("/reports/drilldown/geo.villages/", {**PERIOD, "region": TOWN_B})
    assert resp.status_code == 403


def test_a_figure_not_connected_has_no_drilldown(login_as, county_admin):
    client = login_as(county_admin)
    query = {**PERIOD, "region": COUNTY}
    assert client.get("/reports/drilldown/marriage.marriages/", query).status_code == 404
    assert client.get("/reports/drilldown/no.such_key/", query).status_code == 404


def test_a_drilldown_export_is_audited_with_its_metric(login_as, county_admin):
    from openpyxl import load_workbook

    resp = login_as(county_admin).get(
        "/reports/drilldown/geo.communities/xlsx/", {**PERIOD, "region": TOWN_A}
    )
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == Region.objects.filter(code__startswith=TOWN_A, level="community").count()
    event = exports().get()
    assert (event.detail["metric"], event.detail["format"], event.region_code) == (
        "geo.communities",
        "xlsx",
        TOWN_A,
    )


def test_a_drilldown_export_outside_the_region_is_refused_and_audited(login_as, officer_b):
    resp = login_as(officer_b).get(
        "/reports/drilldown/geo.villages/xlsx/", {**PERIOD, "region": TOWN_A}
    )
    assert resp.status_code == 403
    assert exports().get().outcome == "failure"
