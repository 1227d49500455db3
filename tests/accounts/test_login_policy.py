"""Log-in rules of 等保 level 3 (IA-2 … IA-8, AC-2, AC-3), through the real log-in page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minzheng.accounts import services
from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent
from tests.conftest import STRONG_PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def _post_login(client, username, password, otp=""):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "otp_token": otp}
    )


def test_wrong_password_gives_a_generic_message_and_is_audited(client, officer_a):
    resp = _post_login(client, "officer_a", "Wrong#Pass123")
    assert resp.status_code == 200
    assert "用户名、密码或动态口令不正确" in resp.content.decode()
    event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert event.outcome == "failure"
    assert event.actor_username == "officer_a"


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, db):
    resp = _post_login(client, "nobody_here", "Wrong#Pass123")
    assert "用户名、密码或动态口令不正确" in resp.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, officer_a):
    for _ in range(5):
        _post_login(client, "officer_a", "Wrong#Pass123")
    resp = _post_login(client, "officer_a", STRONG_PASSWORD)
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_by_account_whatever_the_case_of_the_name(client, officer_a):
    for _ in range(5):
        _post_login(client, "OFFICER_A", "Wrong#Pass123")
    assert _post_login(client, "officer_a", STRONG_PASSWORD).status_code == 429


def test_successful_login_is_audited_with_the_address(client, officer_a):
    resp = _post_login(client, "officer_a", STRONG_PASSWORD)
    assert resp.status_code == 302
    event = AuditEvent.objects.filter(action="auth.login", outcome="success").latest("seq")
    assert event.actor_id == officer_a.pk
    assert event.ip == "127.0.0.1"


def test_administrator_logs_in_with_password_and_totp(client, admins):
    resp = _post_login(client, "sysadmin", STRONG_PASSWORD, totp_now(admins["system_admin"]))
    assert resp.status_code == 302


@pytest.mark.parametrize("otp", ["", "000000"])
def test_administrator_without_a_valid_totp_code_is_refused(client, admins, otp):
    resp = _post_login(client, "sysadmin", STRONG_PASSWORD, otp)
    assert resp.status_code == 200
    assert "用户名、密码或动态口令不正确" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_totp_codes_count_towards_the_lockout(client, admins):
    for _ in range(5):
        _post_login(client, "secadmin", STRONG_PASSWORD, "000000")
    resp = _post_login(client, "secadmin", STRONG_PASSWORD, totp_now(admins["security_admin"]))
    assert resp.status_code == 429


def test_administrator_cannot_log_in_from_outside_the_management_network(client, admins, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    resp = _post_login(client, "auditadmin", STRONG_PASSWORD, totp_now(admins["audit_admin"]))
    assert "指定的管理终端" in resp.content.decode()


def test_first_login_forces_a_password_change(client, make_user):
    make_user("newcomer", "town_officer", "340521104", must_change_password=True)
    _post_login(client, "newcomer", STRONG_PASSWORD)
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp["Location"] == "/accounts/password/"


def test_expired_password_forces_a_change(client, officer_a):
    officer_a.password_changed_at = timezone.now() - timedelta(days=91)
    officer_a.save(update_fields=["password_changed_at"])
    _post_login(client, "officer_a", STRONG_PASSWORD)
    assert client.get("/")["Location"] == "/accounts/password/"


def test_password_change_applies_the_rules_and_history(client, officer_a):
    _post_login(client, "officer_a", STRONG_PASSWORD)
    weak = client.post(
        "/accounts/password/",
        {"old_password": STRONG_PASSWORD, "new_password": "abcdefgh", "new_password2": "abcdefgh"},
    )
    assert "至少三类" in weak.content.decode()
    same = client.post(
        "/accounts/password/",
        {
            "old_password": STRONG_PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    assert "不能与当前密码相同" in same.content.decode()
    ok = client.post(
        "/accounts/password/",
        {
            "old_password": STRONG_PASSWORD,
            "new_password": "Fresh#Start2026",
            "new_password2": "Fresh#Start2026",
        },
    )
    assert ok.status_code == 302
    officer_a.refresh_from_db()
    # going back to the previous password is refused (history of 5)
    with pytest.raises(DomainError, match="最近5次"):
        services.password_change(
            user=officer_a, old_password="Fresh#Start2026", new_password=STRONG_PASSWORD
        )


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1!", "太短"),
        ("alllowercase1", "至少三类"),
        ("Officer_a#2026", "用户名"),
        ("Admin@123", "弱口令"),
    ],
)
def test_password_rules_refuse_weak_passwords(officer_a, password, why):
    with pytest.raises(DomainError) as exc:
        services.password_change(
            user=officer_a, old_password=STRONG_PASSWORD, new_password=password
        )
    assert exc.value.message


def test_idle_session_is_ended_on_the_server(client, officer_a, settings):
    _post_login(client, "officer_a", STRONG_PASSWORD)
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]
    assert "_auth_user_id" not in client.session


def test_administrators_have_a_shorter_idle_limit(client, admins, settings):
    _post_login(client, "sysadmin", STRONG_PASSWORD, totp_now(admins["system_admin"]))
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - settings.ADMIN_IDLE_MINUTES * 60 - 5
    session.save()
    assert "/accounts/login/" in client.get("/")["Location"]


def test_logout_deletes_the_server_side_session(client, officer_a):
    from django.contrib.sessions.models import Session

    _post_login(client, "officer_a", STRONG_PASSWORD)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_a_second_login_ends_the_first_session(officer_a):
    from django.test import Client

    first, second = Client(), Client()
    _post_login(first, "officer_a", STRONG_PASSWORD)
    _post_login(second, "officer_a", STRONG_PASSWORD)
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_expired_account_cannot_log_in(client, make_user):
    user = make_user("temp_staff", "village_cadre", "340521104201")
    user.account_expires_on = timezone.localdate() - timedelta(days=1)
    user.save(update_fields=["account_expires_on"])
    resp = _post_login(client, "temp_staff", STRONG_PASSWORD)
    assert "有效期" in resp.content.decode()


def test_dormant_account_is_disabled_at_its_next_login(client, officer_a):
    officer_a.last_login = timezone.now() - timedelta(days=91)
    officer_a.save(update_fields=["last_login"])
    resp = _post_login(client, "officer_a", STRONG_PASSWORD)
    assert "自动停用" in resp.content.decode()
    officer_a.refresh_from_db()
    assert not officer_a.is_active


def test_deactivated_account_cannot_log_in(client, officer_a):
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert _post_login(client, "officer_a", STRONG_PASSWORD).status_code == 200
