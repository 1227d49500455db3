"""系统管理员: the account list, creation with a one-time password, deactivation (never
deletion), re-activation and password reset — each audited with old → new values."""

from __future__ import annotations

import re

import pytest

from minzheng.accounts import services
from minzheng.accounts.models import User
from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent
from minzheng.geo.models import Region
from tests.conftest import COUNTY, STRONG_PASSWORD, TOWN_A, TOWN_B, VILLAGE_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def sys_client(login_as, admins):
    return login_as(admins["system_admin"])


def _one_time_password(body: str) -> str:
    match = re.search(r'data-testid="one-time-password">([^<]+)<', body)
    assert match, "the page shows no one-time password"
    return match.group(1)


# --- list -----------------------------------------------------------------------------------


def test_list_searches_by_name_or_username(sys_client, officer_a, officer_b):
    officer_a.full_name = "张小明"
    officer_a.save(update_fields=["full_name"])
    body = sys_client.get("/system/users/", {"q": "小明"}).content.decode()
    assert "officer_a" in body
    assert "officer_b" not in body
    body = sys_client.get("/system/users/", {"q": "OFFICER_B"}).content.decode()
    assert "officer_b" in body
    assert "officer_a" not in body


def test_list_filters_by_region_subtree(sys_client, officer_a, officer_b, cadre_a):
    body = sys_client.get("/system/users/", {"region": TOWN_A}).content.decode()
    assert "officer_a" in body
    assert "cadre_a" in body  # a village of town A lies in its subtree
    assert "officer_b" not in body


def test_list_filters_by_role_and_status(sys_client, admins, officer_a, officer_b):
    services.user_deactivate(actor=admins["system_admin"], user=officer_b, reason="调离")
    body = sys_client.get(
        "/system/users/", {"role": "town_officer", "active": "1"}
    ).content.decode()
    assert "officer_a" in body
    assert "officer_b" not in body
    assert "secadmin" not in body
    body = sys_client.get("/system/users/", {"active": "0"}).content.decode()
    assert "officer_b" in body
    assert "officer_a" not in body


def test_list_sorts_by_whitelisted_columns_only(sys_client, officer_a, officer_b, county_admin):
    def order(sort):
        body = sys_client.get("/system/users/", {"sort": sort}).content.decode()
        names = re.findall(r'<td><a href="/system/users/[0-9a-f-]+/">([^<]+)</a></td>', body)
        return [n for n in names if n in {"officer_a", "officer_b", "county_admin"}]

    assert order("username") == ["county_admin", "officer_a", "officer_b"]
    assert order("-username") == ["officer_b", "officer_a", "county_admin"]
    assert order("-region") == ["officer_a", "officer_b", "county_admin"]  # 104 > 103 > county
    assert order("password") == ["county_admin", "officer_a", "officer_b"]  # ignored


def test_list_paginates(sys_client, make_user):
    for i in range(25):
        make_user(f"staff{i:02d}", "village_cadre", VILLAGE_A)
    first = sys_client.get("/system/users/", {"q": "staff"}).content.decode()
    second = sys_client.get("/system/users/", {"q": "staff", "page": 2}).content.decode()
    assert "共 25 个账号" in first
    assert "staff00" in first
    assert "staff24" not in first
    assert "staff24" in second
    assert "第 2 / 2 页" in second


def test_list_makes_a_fixed_number_of_queries(sys_client, make_user, django_assert_max_num_queries):
    for i in range(15):
        make_user(f"staff{i:02d}", "village_cadre", VILLAGE_A)
    with django_assert_max_num_queries(13):
        resp = sys_client.get("/system/users/")
    assert resp.status_code == 200


def test_list_shows_only_the_administrators_region_subtree(
    login_as, make_user, officer_a, officer_b
):
    town_sys = make_user("town_sys", "system_admin", TOWN_A)
    services.totp_device_create(actor=None, user=town_sys)
    client = login_as(town_sys)
    body = client.get("/system/users/").content.decode()
    assert "officer_a" in body
    assert "officer_b" not in body
    assert client.get(f"/system/users/{officer_b.public_id}/").status_code == 404


# --- create ---------------------------------------------------------------------------------


def _create(client, **over):
    data = {
        "username": "zhang_san",
        "full_name": "张三",
        "region": TOWN_A,
        "phone": "13912345678",
        "account_expires_on": "2099-12-31",
        **over,
    }
    return client.post("/system/users/new/", data)


def test_create_shows_a_working_one_time_password_once(sys_client):
    resp = _create(sys_client)
    assert resp.status_code == 200
    assert "只显示这一次" in resp.content.decode()
    assert "no-store" in resp["Cache-Control"]
    password = _one_time_password(resp.content.decode())
    user = User.objects.get(username="zhang_san")
    assert user.check_password(password)
    assert user.must_change_password
    assert user.region_id == TOWN_A
    assert user.role_codes == frozenset()  # roles come from the security administrator
    # not kept anywhere for a second look
    assert password not in sys_client.get(f"/system/users/{user.public_id}/").content.decode()


def test_create_is_audited_with_new_values_and_a_masked_phone(sys_client, admins):
    _create(sys_client)
    event = AuditEvent.objects.get(action="user.create", object_repr="张三")
    assert event.actor_username == "sysadmin"
    assert event.changes["username"] == [None, "zhang_san"]
    assert event.changes["region"] == [None, TOWN_A]
    assert event.changes["account_expires_on"] == [None, "2099-12-31"]
    assert event.changes["phone"] == [None, "139****5678"]
    assert "13912345678" not in str(event.changes)
    assert event.ip == "127.0.0.1"


def test_create_refuses_a_reused_username_even_of_a_deactivated_account(
    sys_client, admins, officer_a
):
    services.user_deactivate(actor=admins["system_admin"], user=officer_a, reason="离职")
    resp = _create(sys_client, username="OFFICER_A")
    assert resp.status_code == 200
    assert "已被使用" in resp.content.decode()
    assert User.objects.filter(username__iexact="officer_a").count() == 1


def test_create_refuses_a_bad_phone_and_a_past_expiry_with_chinese_messages(sys_client):
    body = _create(sys_client, phone="12345").content.decode()
    assert "电话号码格式不正确" in body
    body = _create(sys_client, account_expires_on="2001-01-01").content.decode()
    assert "账号有效期不能早于今天" in body
    assert not User.objects.filter(username="zhang_san").exists()


def test_region_picker_is_limited_to_the_administrators_subtree(login_as, make_user):
    town_sys = make_user("town_sys", "system_admin", TOWN_A)
    services.totp_device_create(actor=None, user=town_sys)
    client = login_as(town_sys)
    form = client.get("/system/users/new/").content.decode()
    assert f'value="{VILLAGE_A}"' in form
    assert f'value="{TOWN_B}"' not in form
    assert f'value="{COUNTY}"' not in form
    resp = _create(client, region=TOWN_B)
    assert not User.objects.filter(username="zhang_san").exists()
    assert "is-invalid" in resp.content.decode()


def test_service_refuses_a_region_outside_the_actors_subtree(make_user):
    town_sys = make_user("town_sys", "system_admin", TOWN_A)
    with pytest.raises(DomainError, match="超出您的管理范围"):
        services.user_create(
            actor=town_sys,
            username="x_user",
            full_name="某",
            region=Region.objects.get(code=TOWN_B),
        )


# --- deactivate / activate / reset ------------------------------------------------------------


def test_deactivation_needs_a_reason(sys_client, officer_a):
    resp = sys_client.post(f"/system/users/{officer_a.public_id}/deactivate/", {"reason": ""})
    assert resp.status_code == 400
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_deactivation_keeps_the_account_and_audits_old_and_new(sys_client, officer_a, client):
    resp = sys_client.post(
        f"/system/users/{officer_a.public_id}/deactivate/", {"reason": "调往县局"}, follow=True
    )
    assert "已停用" in resp.content.decode()
    officer_a.refresh_from_db()
    assert not officer_a.is_active
    assert officer_a.deactivated_reason == "调往县局"
    event = AuditEvent.objects.get(action="user.deactivate")
    assert event.changes["is_active"] == [True, False]
    assert event.changes["deactivated_reason"] == ["", "调往县局"]
    assert event.object_id == str(officer_a.public_id)


def test_deactivated_account_cannot_log_in(sys_client, officer_a):
    sys_client.post(f"/system/users/{officer_a.public_id}/deactivate/", {"reason": "离职"})
    from django.test import Client

    resp = Client().post("/accounts/login/", {"username": "officer_a", "password": STRONG_PASSWORD})
    assert resp.status_code == 200  # the log-in page again, not a redirect
    assert "不正确" in resp.content.decode()


def test_administrator_cannot_deactivate_itself(sys_client, admins):
    me = admins["system_admin"]
    resp = sys_client.post(f"/system/users/{me.public_id}/deactivate/", {"reason": "测试"})
    assert "不能停用自己的账号" in resp.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_reactivation_is_audited(sys_client, admins, officer_a):
    services.user_deactivate(actor=admins["system_admin"], user=officer_a, reason="病休")
    resp = sys_client.post(f"/system/users/{officer_a.public_id}/activate/", follow=True)
    assert "已启用" in resp.content.decode()
    officer_a.refresh_from_db()
    assert officer_a.is_active
    assert officer_a.deactivated_reason == ""
    event = AuditEvent.objects.get(action="user.activate")
    assert event.changes == {"is_active": [False, True], "deactivated_reason": ["病休", ""]}


def test_reactivating_an_active_account_is_refused_with_a_message(sys_client, officer_a):
    resp = sys_client.post(f"/system/users/{officer_a.public_id}/activate/", follow=True)
    assert "该账号已是启用状态" in resp.content.decode()
    assert list(
        AuditEvent.objects.filter(action="user.activate").values_list("outcome", flat=True)
    ) == ["failure"]


def test_password_reset_shows_a_new_one_time_password(sys_client, officer_a):
    resp = sys_client.post(f"/system/users/{officer_a.public_id}/reset-password/")
    assert resp.status_code == 200
    password = _one_time_password(resp.content.decode())
    officer_a.refresh_from_db()
    assert officer_a.check_password(password)
    assert not officer_a.check_password(STRONG_PASSWORD)
    assert officer_a.must_change_password
    event = AuditEvent.objects.get(action="password.reset")
    assert event.changes == {"must_change_password": [False, True]}
    assert password not in str(event.changes) + str(event.detail)


def test_no_url_deletes_a_user(sys_client, officer_a):
    for method in ("delete", "post"):
        resp = getattr(sys_client, method)(f"/system/users/{officer_a.public_id}/")
        assert resp.status_code == 405
    assert User.objects.filter(pk=officer_a.pk).exists()


def test_system_administrator_cannot_assign_roles(sys_client, officer_a):
    resp = sys_client.post(
        f"/security/users/{officer_a.public_id}/roles/", {"roles": ["county_admin"]}
    )
    assert resp.status_code == 403
    assert officer_a.role_assignments.get().role == "town_officer"


def test_system_administrator_cannot_reach_audit_pages(sys_client):
    for url in ("/audit/", "/audit/stats/", "/audit/1/"):
        assert sys_client.get(url).status_code == 403
    assert sys_client.post("/audit/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_create_audit_lists_only_the_fields_that_were_given(sys_client):
    _create(sys_client, phone="", account_expires_on="")
    changes = AuditEvent.objects.get(action="user.create", object_repr="张三").changes
    assert set(changes) == {"username", "full_name", "region", "is_active"}
