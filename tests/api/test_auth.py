"""Log-in, lockout, token life and log-out through the API (IA-4, IA-5, IA-8)."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.accounts import services
from minzheng.accounts.models import ApiToken
from minzheng.core.models import AuditEvent
from tests.api.conftest import bearer, post_token
from tests.conftest import STRONG_PASSWORD, totp_now

pytestmark = pytest.mark.django_db

WRONG = "Wrong#Pass123"


def test_token_login_gives_a_bearer_token_that_opens_me(client, officer_a):
    resp = post_token(client, "officer_a", STRONG_PASSWORD)
    assert resp.status_code == 200
    body = resp.json()
    assert body["token"].startswith("mzt_")
    assert body["token_type"] == "Bearer"
    assert body["idle_timeout_minutes"] == 30
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "officer_a"


def test_token_login_is_audited_and_only_the_hash_is_stored(client, officer_a):
    token = post_token(client, "officer_a", STRONG_PASSWORD).json()["token"]
    login = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert (login.outcome, login.actor_id) == ("success", officer_a.pk)
    assert login.detail["channel"] == "api"
    assert AuditEvent.objects.filter(action="api.token.create", actor_id=officer_a.pk).exists()
    stored = ApiToken.objects.get(user=officer_a)
    assert token not in stored.token_hash


def test_wrong_password_is_refused_with_the_generic_message(client, officer_a):
    resp = post_token(client, "officer_a", WRONG)
    assert resp.status_code == 401
    assert resp.json() == {
        "error": {"code": "invalid_credentials", "message": "用户名、密码或动态口令不正确"}
    }
    event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert (event.outcome, event.actor_username) == ("failure", "officer_a")


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, officer_a):
    unknown = post_token(client, "nobody_here", WRONG)
    wrong = post_token(client, "officer_a", WRONG)
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_five_bad_passwords_lock_the_account_even_for_the_right_password(client, officer_a):
    answers = [post_token(client, "officer_a", WRONG).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]  # the fifth failure locks, as on the web page
    resp = post_token(client, "officer_a", STRONG_PASSWORD)
    assert resp.status_code == 429
    error = resp.json()["error"]
    assert error["code"] == "locked"
    assert "锁定" in error["message"]
    assert not ApiToken.objects.filter(user=officer_a).exists()


def test_the_lockout_is_shared_with_the_log_in_page(client, officer_a):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "officer_a", "password": WRONG})
    for _ in range(2):
        post_token(client, "officer_a", WRONG)
    assert post_token(client, "officer_a", STRONG_PASSWORD).status_code == 429
    assert (
        client.post(
            "/accounts/login/", {"username": "officer_a", "password": STRONG_PASSWORD}
        ).status_code
        == 429
    )


def test_a_successful_token_login_clears_the_failure_count(client, officer_a):
    for _ in range(4):
        post_token(client, "officer_a", WRONG)
    assert post_token(client, "officer_a", STRONG_PASSWORD).status_code == 200
    for _ in range(4):
        post_token(client, "officer_a", WRONG)
    assert post_token(client, "officer_a", STRONG_PASSWORD).status_code == 200


def test_token_login_sets_last_login_for_the_dormancy_rule(client, officer_a):
    assert officer_a.last_login is None
    post_token(client, "officer_a", STRONG_PASSWORD)
    officer_a.refresh_from_db()
    assert officer_a.last_login is not None


def test_administrator_needs_the_totp_code_for_a_token(client, admins):
    assert post_token(client, "auditadmin", STRONG_PASSWORD).status_code == 401
    ok = post_token(client, "auditadmin", STRONG_PASSWORD, totp_now(admins["audit_admin"]))
    assert ok.status_code == 200


def test_wrong_totp_codes_count_towards_the_api_lockout(client, admins):
    for _ in range(5):
        post_token(client, "secadmin", STRONG_PASSWORD, "000000")
    resp = post_token(client, "secadmin", STRONG_PASSWORD, totp_now(admins["security_admin"]))
    assert resp.status_code == 429


def test_administrator_token_only_from_the_management_network(client, admins, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    resp = post_token(client, "auditadmin", STRONG_PASSWORD, totp_now(admins["audit_admin"]))
    assert resp.status_code == 403
    assert resp.json()["error"] == {
        "code": "login_refused",
        "message": "管理员账号只能从指定的管理终端登录",
    }


def test_no_token_for_an_account_that_must_change_its_password(client, make_user):
    make_user("newcomer", "town_officer", must_change_password=True)
    resp = post_token(client, "newcomer", STRONG_PASSWORD)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "password_change_required"


def test_logout_revokes_the_token_server_side(client, officer_a, token_for):
    token = token_for(officer_a)
    resp = client.post("/api/v1/auth/logout", headers=bearer(token))
    assert resp.status_code == 204
    assert ApiToken.objects.get(user=officer_a).revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token.revoke", actor_id=officer_a.pk).exists()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_revoked_token_is_refused(client, officer_a, token_for):
    token = token_for(officer_a)
    services.api_token_revoke(user=officer_a, raw=token)
    resp = client.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


def test_a_token_idle_for_longer_than_the_session_time_out_is_refused(client, officer_a, token_for):
    token = token_for(officer_a)
    ApiToken.objects.filter(user=officer_a).update(
        last_used_at=timezone.now() - timedelta(minutes=31)
    )
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert ApiToken.objects.get(user=officer_a).revoked_at is not None


def test_a_token_past_its_lifetime_is_refused(client, officer_a, token_for):
    token = token_for(officer_a)
    ApiToken.objects.filter(user=officer_a).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_the_token_of_a_deactivated_account_is_refused(client, officer_a, token_for, admins):
    token = token_for(officer_a)
    services.user_deactivate(actor=admins["system_admin"], user=officer_a, reason="调离")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer mzt_not-a-real-token", "Bearer ", "Token abc", "Basic eDp5"]
)
def test_a_made_up_or_malformed_authorization_is_refused(client, officer_a, header):
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


def test_no_credentials_at_all_is_401(client, db):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.json() == {
        "error": {"code": "unauthenticated", "message": "未登录或登录已失效，请重新登录"}
    }


# --- the web session as the other way in -----------------------------------------------------


def test_the_web_session_opens_the_api(login_as, officer_a):
    resp = login_as(officer_a).get("/api/v1/me")
    assert resp.status_code == 200
    assert resp.json()["username"] == "officer_a"


def test_a_session_post_without_the_csrf_token_is_refused(officer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_a)
    resp = browser.post("/api/v1/auth/logout")
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "csrf_failed"


def test_a_session_post_with_the_csrf_token_logs_out(officer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")  # sets the CSRF cookie
    browser.force_login(officer_a)
    csrf = browser.cookies["csrftoken"].value
    resp = browser.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf})
    assert resp.status_code == 204
    assert browser.get("/api/v1/me").status_code == 401


def test_an_idle_session_is_refused_by_the_api(login_as, officer_a):
    client = login_as(officer_a)
    session = client.session
    session["last_seen"] = int(time.time()) - 31 * 60
    session.save()
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert "超时" in resp.json()["error"]["message"]


def test_a_session_that_must_change_its_password_cannot_use_the_api(login_as, officer_a):
    client = login_as(officer_a)
    type(officer_a).objects.filter(pk=officer_a.pk).update(must_change_password=True)
    resp = client.get("/api/v1/me")
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "password_change_required"
