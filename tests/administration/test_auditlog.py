"""审计管理员: search, statistics, export (itself audited), detail with old → new values, the
chain check — and no path anywhere that edits or deletes an audit record (AU-3, AU-5)."""

from __future__ import annotations

import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook

from minzheng.accounts import services
from minzheng.core import audit, audit_sql
from minzheng.core.context import RequestInfo, current_request
from minzheng.core.models import AuditEvent
from tests.conftest import STRONG_PASSWORD, TOWN_A, TOWN_B, totp_now

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def audit_client(login_as, admins):
    return login_as(admins["audit_admin"])


def _event(action, *, ip="", username="tester", region="", success=True, when=None, **kw):
    token = current_request.set(RequestInfo(ip=ip, channel="web"))
    try:
        if when is None:
            return audit.record(
                actor=None,
                username=username,
                action=action,
                region_code=region,
                success=success,
                **kw,
            )
        with mock.patch("minzheng.core.audit.timezone.now", return_value=when):
            return audit.record(
                actor=None,
                username=username,
                action=action,
                region_code=region,
                success=success,
                **kw,
            )
    finally:
        current_request.reset(token)


def _seqs(body):
    return {int(s) for s in re.findall(r'href="/audit/(\d+)/"', body)}


# --- search ---------------------------------------------------------------------------------


def test_list_searches_by_user_action_ip_outcome_and_region(audit_client):
    a = _event("pii.reveal", ip="10.1.2.3", username="zhao", region=TOWN_A + "201")
    b = _event("pii.reveal", ip="10.9.9.9", username="qian", region=TOWN_B, success=False)
    c = _event("user.create", ip="10.1.2.4", username="zhao", region=TOWN_B)

    def seqs(**params):
        return _seqs(audit_client.get("/audit/", params).content.decode()) & {a.seq, b.seq, c.seq}

    assert seqs(user="zha") == {a.seq, c.seq}
    assert seqs(action="pii.reveal") == {a.seq, b.seq}
    assert seqs(ip="10.1.") == {a.seq, c.seq}
    assert seqs(outcome="failure") == {b.seq}
    assert seqs(region=TOWN_B) == {b.seq, c.seq}
    assert seqs(region=TOWN_A) == {a.seq}  # a village of town A is in its subtree


def test_list_filters_by_time_range(audit_client):
    now = timezone.now()
    old = _event("test.write", when=now - dt.timedelta(days=3))
    new = _event("test.write")
    day = timezone.localtime(now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    body = audit_client.get("/audit/", {"start": day}).content.decode()
    assert new.seq in _seqs(body)
    assert old.seq not in _seqs(body)
    body = audit_client.get("/audit/", {"end": day}).content.decode()
    assert old.seq in _seqs(body)
    assert new.seq not in _seqs(body)


def test_reversed_time_range_is_refused_with_a_message(audit_client):
    body = audit_client.get(
        "/audit/", {"start": "2026-05-02T00:00", "end": "2026-05-01T00:00"}
    ).content.decode()
    assert "截止时间不能早于起始时间" in body


def test_list_makes_a_fixed_number_of_queries(audit_client, django_assert_max_num_queries):
    for i in range(30):
        _event("test.write", object_repr=f"r{i}")
    with django_assert_max_num_queries(13):
        assert audit_client.get("/audit/").status_code == 200


# --- statistics -----------------------------------------------------------------------------


def test_statistics_count_by_action_and_by_day_for_the_filtered_range(audit_client):
    now = timezone.now()
    for _ in range(3):
        _event("pii.reveal", username="stat_user")
    _event("pii.reveal", username="stat_user", when=now - dt.timedelta(days=2), success=False)
    _event("user.create", username="stat_user")
    _event("user.create", username="someone_else")
    body = audit_client.get("/audit/stats/", {"user": "stat_user"}).content.decode()
    assert 'data-testid="stat-total">5<' in body
    assert 'data-testid="stat-failure">1<' in body
    actions = body.split('data-testid="stat-actions"')[1].split("</table>")[0]
    assert re.search(r"查看完整个人信息.*?<td class=\"text-end\">4</td>", actions, re.S)
    assert re.search(r"创建账号.*?<td class=\"text-end\">1</td>", actions, re.S)
    days = body.split('data-testid="stat-days"')[1].split("</table>")[0]
    today = timezone.localdate().isoformat()
    two_days_ago = timezone.localtime(now - dt.timedelta(days=2)).date().isoformat()
    assert re.search(rf"{today}</td>.*?<td class=\"text-end\">4</td>", days, re.S)
    assert re.search(rf"{two_days_ago}</td>.*?<td class=\"text-end\">1</td>", days, re.S)


# --- detail ---------------------------------------------------------------------------------


def test_detail_shows_old_and_new_values(audit_client, admins, officer_a):
    services.user_deactivate(actor=admins["system_admin"], user=officer_a, reason="调往县局")
    event = AuditEvent.objects.get(action="user.deactivate")
    body = audit_client.get(f"/audit/{event.seq}/").content.decode()
    assert "停用账号" in body
    assert 'data-testid="old-is_active">是<' in body
    assert 'data-testid="new-is_active">否<' in body
    assert 'data-testid="new-deactivated_reason">调往县局<' in body
    assert event.hash in body


def test_detail_of_a_missing_record_is_404(audit_client):
    assert audit_client.get("/audit/999999/").status_code == 404


# --- export ---------------------------------------------------------------------------------


def test_export_returns_a_real_xlsx_of_the_filtered_rows(audit_client):
    kept = _event(
        "pii.reveal",
        username="export_me",
        ip="10.2.3.4",
        object_repr="张*三",
        changes={"phone": ["139****0000", "138****1111"]},
    )
    _event("pii.reveal", username="not_me")
    resp = audit_client.post("/audit/export/", {"user": "export_me"})
    assert resp.status_code == 200
    assert resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "用户")
    assert len(rows) == 2  # the header and the one matching row
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["序号"] == kept.seq
    assert row["用户"] == "export_me"
    assert row["来源IP"] == "10.2.3.4"
    assert row["操作"] == "查看完整个人信息"
    assert row["结果"] == "成功"
    assert "138****1111" in row["变更（原值→新值）"]
    assert isinstance(row["时间"], dt.datetime)


def test_export_is_itself_audited(audit_client, admins):
    _event("pii.reveal", username="export_me")
    audit_client.post("/audit/export/", {"user": "export_me", "outcome": "success"})
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_id == admins["audit_admin"].pk
    assert event.detail["rows"] == 1
    assert event.detail["filters"] == {"user": "export_me", "outcome": "success"}
    assert event.ip == "127.0.0.1"


def test_export_cannot_smuggle_a_formula_into_excel(audit_client):
    _event("test.write", username="export_me", object_repr='=HYPERLINK("http://x","y")')
    resp = audit_client.post("/audit/export/", {"user": "export_me"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    cell = ws.cell(row=2, column=10)
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


# --- chain check ----------------------------------------------------------------------------


def test_verify_button_reports_an_intact_chain_and_is_audited(audit_client):
    _event("test.write")
    resp = audit_client.post("/audit/verify/")
    assert "审计日志完整" in resp.content.decode()
    assert AuditEvent.objects.filter(action="audit.verify", outcome="success").exists()


def test_verify_button_reports_a_tampered_record(audit_client):
    target = _event("test.write")
    _event("test.write")
    audit_sql.drop(connection)
    try:
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE core_auditevent SET actor_username = %s WHERE seq = %s",
                ["intruder", target.seq],
            )
    finally:
        audit_sql.install(connection)
    body = audit_client.post("/audit/verify/").content.decode()
    assert "审计日志校验失败" in body
    assert f"记录 #{target.seq}" in body
    assert AuditEvent.objects.filter(action="audit.verify", outcome="failure").exists()


# --- read-only ------------------------------------------------------------------------------


def test_audit_screens_offer_no_change_methods(audit_client):
    seq = _event("test.write").seq
    for url in ("/audit/", "/audit/stats/", f"/audit/{seq}/"):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(audit_client, method)(url).status_code == 405, (method, url)
    for url in ("/audit/export/", "/audit/verify/"):
        for method in ("put", "patch", "delete"):
            assert getattr(audit_client, method)(url).status_code == 405, (method, url)


def _all_urls(resolver=None, prefix=""):
    """Every URL pattern of the project as (route, name)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _all_urls(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def _concrete(route, *, uuid, seq):
    route = re.sub(r"<uuid(str)?:\w+>", str(uuid), route)
    route = re.sub(r"<int:\w+>", str(seq), route)
    route = re.sub(r"<str:day>", "2027-01-04", route)
    route = re.sub(r"<(str:)?\w+>", "x", route)
    route = route.replace("^", "").replace("$", "")
    assert "<" not in route, f"a converter this test does not fill: {route}"
    return "/" + route


def test_no_url_deletes_or_alters_audit_records(admins, officer_a):
    # one record older than the six-month floor, which the database would let go
    _event("test.write", when=timezone.now() - dt.timedelta(days=400))
    for i in range(3):
        _event("test.write", object_repr=str(i))
    before = dict(AuditEvent.objects.values_list("seq", "hash"))
    users_before = set(type(officer_a).objects.values_list("pk", flat=True))
    seq = min(before)
    urls = sorted({_concrete(r, uuid=officer_a.public_id, seq=seq) for r, _ in _all_urls()})
    urls = [u for u in urls if u != "/accounts/logout/"] + ["/accounts/logout/"]
    assert "/audit/export/" in urls
    for role in ("audit_admin", "system_admin", "security_admin"):
        client = Client()
        user = admins[role]
        resp = client.post(
            "/accounts/login/",
            {"username": user.username, "password": STRONG_PASSWORD, "otp_token": totp_now(user)},
        )
        assert resp.status_code == 302
        for url in urls:
            for method in ("get", "post", "delete"):
                getattr(client, method)(url, {"seq": seq, "confirm": "1"})
        # the next administrator may log in within the same TOTP step: let django-otp accept it
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.update(last_t=-1)
    after = dict(AuditEvent.objects.values_list("seq", "hash"))
    assert before.items() <= after.items()
    assert audit.verify().ok
    assert users_before <= set(type(officer_a).objects.values_list("pk", flat=True))
