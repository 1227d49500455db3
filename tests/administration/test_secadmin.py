"""安全管理员: role assignment (三员 mutually exclusive), the role → permission matrix,
lock-outs and their release, and the (re)issue of administrators' TOTP."""

from __future__ import annotations

import base64
import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from minzheng.accounts import services
from minzheng.accounts.models import RolePermission, User
from minzheng.accounts.roles import Perm
from minzheng.core.models import AuditEvent
from minzheng.geo.models import Region
from tests.conftest import STRONG_PASSWORD, TOWN_A, totp_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec_client(login_as, admins):
    return login_as(admins["security_admin"])


@pytest.fixture
def newcomer(db):
    user, _ = services.user_create(
        actor=None,
        username="newcomer",
        full_name="新人",
        region=Region.objects.get(code=TOWN_A),
        password=STRONG_PASSWORD,
        must_change_password=False,
    )
    return user


def _roles_url(user):
    return f"/security/users/{user.public_id}/roles/"


# --- roles ----------------------------------------------------------------------------------


def test_assigning_a_business_role_is_saved_and_audited(sec_client, newcomer):
    resp = sec_client.post(_roles_url(newcomer), {"roles": ["town_officer"]})
    assert resp.status_code == 302
    assert set(newcomer.role_assignments.values_list("role", flat=True)) == {"town_officer"}
    event = AuditEvent.objects.get(action="user.roles", actor_username="secadmin")
    assert event.changes == {"roles": [[], ["town_officer"]]}


def test_two_separated_administrator_roles_are_refused_in_the_form(sec_client, newcomer):
    resp = sec_client.post(_roles_url(newcomer), {"roles": ["system_admin", "audit_admin"]})
    assert resp.status_code == 400
    body = resp.content.decode()
    assert 'data-testid="role-error"' in body
    assert "三员角色互斥" in body
    assert not newcomer.role_assignments.exists()


def test_an_administrator_role_with_a_business_role_is_refused_in_the_form(sec_client, officer_a):
    resp = sec_client.post(_roles_url(officer_a), {"roles": ["security_admin", "town_officer"]})
    assert resp.status_code == 400
    assert "安全管理员不能同时担任业务角色" in resp.content.decode()
    assert set(officer_a.role_assignments.values_list("role", flat=True)) == {"town_officer"}
    # the refusal is itself audited, as a failure with its reason
    event = AuditEvent.objects.get(action="user.roles", actor_username="secadmin")
    assert event.outcome == "failure"
    assert event.object_id == str(officer_a.public_id)
    assert "不能同时担任业务角色" in event.detail["reason"]


def test_security_administrator_cannot_change_its_own_roles(sec_client, admins):
    me = admins["security_admin"]
    resp = sec_client.post(_roles_url(me), {"roles": ["security_admin", "audit_admin"]})
    assert resp.status_code == 400
    assert "不能给自己分配角色" in resp.content.decode()


def test_roles_of_another_subtree_look_missing(login_as, make_user, officer_b):
    town_sec = make_user("town_sec", "security_admin", TOWN_A)
    services.totp_device_create(actor=None, user=town_sec)
    client = login_as(town_sec)
    assert client.get(_roles_url(officer_b)).status_code == 404
    assert client.post(_roles_url(officer_b), {"roles": ["county_admin"]}).status_code == 404
    assert set(officer_b.role_assignments.values_list("role", flat=True)) == {"town_officer"}


# --- permission matrix ----------------------------------------------------------------------


def _matrix_post():
    """The matrix exactly as stored, in the form the page posts it."""
    from minzheng.administration.forms import MATRIX_ROLES

    data = {}
    for role in MATRIX_ROLES:
        data[f"perm__{role.value}"] = list(
            RolePermission.objects.filter(role=role).values_list("perm", flat=True)
        )
    return data


def test_matrix_change_is_saved_with_before_and_after_in_the_audit(sec_client):
    data = _matrix_post()
    before = sorted(data["perm__village_cadre"])
    data["perm__village_cadre"] = [*before, Perm.PII_REVEAL]
    resp = sec_client.post("/security/permissions/", data, follow=True)
    assert "村（社区）干部" in resp.content.decode()
    assert RolePermission.objects.filter(role="village_cadre", perm=Perm.PII_REVEAL).exists()
    event = AuditEvent.objects.get(action="role.permissions")
    assert event.object_id == "village_cadre"
    assert event.changes["perms"] == [before, sorted([*before, Perm.PII_REVEAL])]


def test_matrix_unchanged_writes_no_audit_record(sec_client):
    sec_client.post("/security/permissions/", _matrix_post())
    assert not AuditEvent.objects.filter(action="role.permissions").exists()


def test_matrix_refuses_an_administrator_permission_for_a_business_role(sec_client):
    data = _matrix_post()
    data["perm__hotline_operator"] = [*data["perm__hotline_operator"], Perm.REPORTS_VIEW]
    data["perm__county_admin"] = [*data["perm__county_admin"], Perm.AUDIT_VIEW]
    resp = sec_client.post("/security/permissions/", data)
    assert resp.status_code == 400
    assert "业务角色不能拥有管理员权限" in resp.content.decode()
    # all or nothing: the valid change of another role was not kept either
    assert not RolePermission.objects.filter(
        role="hotline_operator", perm=Perm.REPORTS_VIEW
    ).exists()
    assert not RolePermission.objects.filter(role="county_admin", perm=Perm.AUDIT_VIEW).exists()
    assert not AuditEvent.objects.filter(action="role.permissions", outcome="success").exists()


def test_matrix_leaves_the_separated_administrators_fixed(sec_client):
    page = sec_client.get("/security/permissions/").content.decode()
    assert 'name="perm__audit_admin"' not in page
    data = _matrix_post()
    data["perm__audit_admin"] = [Perm.AUDIT_VIEW, Perm.USERS_MANAGE]
    sec_client.post("/security/permissions/", data)
    assert set(
        RolePermission.objects.filter(role="audit_admin").values_list("perm", flat=True)
    ) == {Perm.AUDIT_VIEW}


# --- lock-outs ------------------------------------------------------------------------------


def _fail_logins(username, n):
    c = Client()
    for _ in range(n):
        c.post("/accounts/login/", {"username": username, "password": "wrong-Password1"})


def test_locked_account_is_listed_and_can_be_unlocked(sec_client, officer_a, officer_b):
    _fail_logins("officer_a", settings.AXES_FAILURE_LIMIT)
    _fail_logins("officer_b", settings.AXES_FAILURE_LIMIT - 2)  # not yet locked
    body = sec_client.get("/security/lockouts/").content.decode()
    assert "officer_a" in body
    assert "officer_b" not in body

    resp = sec_client.post("/security/lockouts/unlock/", {"username": "officer_a"}, follow=True)
    assert "已解除锁定" in resp.content.decode()
    assert "officer_a" not in sec_client.get("/security/lockouts/").content.decode()
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.object_id == str(officer_a.public_id)
    assert event.changes == {"locked": [True, False]}
    ok = Client().post("/accounts/login/", {"username": "officer_a", "password": STRONG_PASSWORD})
    assert ok.status_code == 302


def test_locked_account_cannot_log_in_before_unlock(officer_a):
    _fail_logins("officer_a", settings.AXES_FAILURE_LIMIT)
    resp = Client().post("/accounts/login/", {"username": "officer_a", "password": STRONG_PASSWORD})
    assert resp.status_code == 429


def test_unlocking_an_account_that_is_not_locked_says_so(sec_client, officer_a):
    resp = sec_client.post("/security/lockouts/unlock/", {"username": "officer_a"}, follow=True)
    assert "无需解锁" in resp.content.decode()
    assert not AuditEvent.objects.filter(action="user.unlock", outcome="success").exists()


# --- TOTP -----------------------------------------------------------------------------------


def test_totp_reissue_shows_the_new_secret_once_and_retires_the_old(sec_client, admins):
    target = admins["audit_admin"]
    old_key = TOTPDevice.objects.get(user=target).key
    resp = sec_client.post(f"/security/totp/{target.public_id}/issue/")
    assert resp.status_code == 200
    assert "no-store" in resp["Cache-Control"]
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7=]+)<', resp.content.decode()).group(1)
    device = TOTPDevice.objects.get(user=target)
    assert device.key != old_key
    assert base64.b32decode(secret) == device.bin_key
    # the new secret logs the administrator in
    code = f"{totp(base64.b32decode(secret), step=device.step, digits=device.digits):06d}"
    ok = Client().post(
        "/accounts/login/",
        {"username": target.username, "password": STRONG_PASSWORD, "otp_token": code},
    )
    assert ok.status_code == 302
    event = AuditEvent.objects.get(action="user.totp", actor_id=admins["security_admin"].pk)
    assert event.object_id == str(target.public_id)
    assert secret not in str(event.changes) + str(event.detail)
    # shown once: the list page does not show it again
    assert secret not in sec_client.get("/security/totp/").content.decode()


def test_totp_is_not_issued_to_a_business_account(sec_client, officer_a):
    resp = sec_client.post(f"/security/totp/{officer_a.public_id}/issue/", follow=True)
    assert "只有管理员（三员）账号使用动态口令" in resp.content.decode()
    assert not TOTPDevice.objects.filter(user=officer_a).exists()


def test_security_administrator_cannot_reissue_its_own_totp(sec_client, admins):
    me = admins["security_admin"]
    key = TOTPDevice.objects.get(user=me).key
    resp = sec_client.post(f"/security/totp/{me.public_id}/issue/", follow=True)
    assert "不能为自己的账号签发动态口令" in resp.content.decode()
    assert TOTPDevice.objects.get(user=me).key == key


def test_totp_list_shows_administrators_only(sec_client, officer_a, admins):
    body = sec_client.get("/security/totp/").content.decode()
    assert "auditadmin" in body
    assert "sysadmin" in body
    assert "officer_a" not in body


def test_old_totp_stops_working_after_reissue(sec_client, admins):
    target = admins["system_admin"]
    old_code = totp_now(target)
    sec_client.post(f"/security/totp/{target.public_id}/issue/")
    resp = Client().post(
        "/accounts/login/",
        {"username": target.username, "password": STRONG_PASSWORD, "otp_token": old_code},
    )
    assert resp.status_code == 200
    assert User.objects.get(pk=target.pk).is_active
