"""Each screen opens for its own administrator and answers 403 to the other two
administrators and to business roles (AC-1, AC-4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minzheng.core.models import AuditEvent

from .conftest import ADMIN_NAMES, BUSINESS_NAMES

pytestmark = pytest.mark.django_db

# (url name, needs a user id / audit seq, owner role)
SCREENS = [
    ("sysadmin:users", None, "system_admin"),
    ("sysadmin:user_create", None, "system_admin"),
    ("sysadmin:user", "user", "system_admin"),
    ("secadmin:home", None, "security_admin"),
    ("secadmin:user_roles", "user", "security_admin"),
    ("secadmin:permissions", None, "security_admin"),
    ("secadmin:lockouts", None, "security_admin"),
    ("secadmin:totp", None, "security_admin"),
    ("auditlog:list", None, "audit_admin"),
    ("auditlog:stats", None, "audit_admin"),
    ("auditlog:detail", "seq", "audit_admin"),
]

# POST-only actions: (url name, needs, owner role)
ACTIONS = [
    ("sysadmin:user_deactivate", "user", "system_admin"),
    ("sysadmin:user_activate", "user", "system_admin"),
    ("sysadmin:user_password_reset", "user", "system_admin"),
    ("secadmin:unlock", None, "security_admin"),
    ("secadmin:totp_issue", "admin", "security_admin"),
    ("auditlog:export", None, "audit_admin"),
    ("auditlog:verify", None, "audit_admin"),
]


def _url(name, needs, actors):
    if needs == "user":
        return reverse(name, args=[actors["officer_a"].public_id])
    if needs == "admin":
        return reverse(name, args=[actors["audit_admin"].public_id])
    if needs == "seq":
        return reverse(name, args=[AuditEvent.objects.order_by("-seq").first().seq])
    return reverse(name)


ALL = ADMIN_NAMES + BUSINESS_NAMES


def _others(rows):
    """(name, needs, owner, actor) for every actor that is not the owner."""
    return [(*row, actor) for row in rows for actor in ALL if actor != row[2]]


@pytest.mark.parametrize(("name", "needs", "owner"), SCREENS)
def test_screen_opens_for_its_own_administrator(name, needs, owner, actors, login_as):
    client = login_as(actors[owner])
    resp = client.get(_url(name, needs, actors))
    assert resp.status_code == 200
    assert "无权访问" not in resp.content.decode()


@pytest.mark.parametrize(("name", "needs", "owner", "actor"), _others(SCREENS))
def test_screen_is_refused_to_every_other_role(name, needs, owner, actor, actors, login_as):
    client = login_as(actors[actor])
    resp = client.get(_url(name, needs, actors))
    assert resp.status_code == 403
    assert "无权访问" in resp.content.decode()


@pytest.mark.parametrize(("name", "needs", "owner", "actor"), _others(ACTIONS))
def test_action_is_refused_to_every_other_role(name, needs, owner, actor, actors, login_as):
    client = login_as(actors[actor])
    before = AuditEvent.objects.count()
    resp = client.post(_url(name, needs, actors), {"reason": "调离", "username": "officer_a"})
    assert resp.status_code == 403
    actors["officer_a"].refresh_from_db()
    assert actors["officer_a"].is_active
    # a refused action leaves no export, verify or deactivation record
    assert not AuditEvent.objects.filter(
        seq__gt=before, action__in=["audit.export", "audit.verify", "user.deactivate"]
    ).exists()


@pytest.mark.parametrize(("name", "needs", "owner"), SCREENS)
def test_anonymous_visitor_is_sent_to_log_in(name, needs, owner, actors, client):
    resp = client.get(_url(name, needs, actors))
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "needs", "owner"), ACTIONS)
def test_state_changing_actions_refuse_get(name, needs, owner, actors, login_as):
    client = login_as(actors[owner])
    assert client.get(_url(name, needs, actors)).status_code == 405


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("system_admin", "/system/users/"),
        ("security_admin", "/security/"),
        ("audit_admin", "/audit/"),
    ],
)
def test_each_administrator_lands_on_its_own_screen(role, home, actors, login_as):
    resp = login_as(actors[role]).get("/")
    assert resp.status_code == 302
    assert resp["Location"] == home


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("system_admin", "/system/users/", ["/security/", "/audit/"]),
        ("security_admin", "/security/permissions/", ["/system/users/", "/audit/"]),
        ("audit_admin", "/audit/", ["/system/users/", "/security/"]),
    ],
)
def test_menu_shows_only_the_administrators_own_screens(role, shown, hidden, actors, login_as):
    body = login_as(actors[role]).get(shown).content.decode()
    nav = body.split('class="mz-side"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{shown}"' in nav
    for url in hidden:
        assert f'href="{url}"' not in nav


def test_state_changing_actions_need_a_csrf_token(admins, officer_a):
    from django.test import Client

    from tests.conftest import STRONG_PASSWORD, totp_now

    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    sysadmin = admins["system_admin"]
    resp = client.post(
        "/accounts/login/",
        {
            "username": sysadmin.username,
            "password": STRONG_PASSWORD,
            "otp_token": totp_now(sysadmin),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert resp.status_code == 302
    url = f"/system/users/{officer_a.public_id}/deactivate/"
    assert client.post(url, {"reason": "调离"}).status_code == 403
    officer_a.refresh_from_db()
    assert officer_a.is_active
    client.get(f"/system/users/{officer_a.public_id}/")  # the page hands out a fresh token
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"reason": "调离", "csrfmiddlewaretoken": token}).status_code == 302
    officer_a.refresh_from_db()
    assert not officer_a.is_active
