"""Shared fixtures: the standard actors of every permission test.

County administrator, officers of town A (塘南镇) and town B (石桥镇), a village cadre of a
village in town A, the business auditor, and the three 三员 administrators.
"""

from __future__ import annotations

import pytest
from django.test import TransactionTestCase

from minzheng.core import audit_sql
from minzheng.payments import ledger_sql, line_refs_sql

TOWN_A = "340521104"  # 塘南镇
TOWN_B = "340521103"  # 石桥镇
VILLAGE_A = "340521104201"  # 桃元村, in town A
COUNTY = "340521"
STRONG_PASSWORD = "Civil#Affairs2026"


# The audit table refuses DELETE of recent rows, the payments ledger and payroll lines refuse
# every DELETE, and the tables lines refer to refuse deleting what a line refers to, so the
# flush that ends a transactional test must lift the triggers for its duration (tests only;
# nothing in the app does this).
_original_teardown = TransactionTestCase._fixture_teardown


def _teardown_with_audit_flush(self):  # type: ignore[no-untyped-def]
    from django.db import connections

    for alias in self._databases_names(include_mirrors=False):
        audit_sql.drop(connections[alias])
        ledger_sql.drop(connections[alias])
        line_refs_sql.drop(connections[alias])
    try:
        _original_teardown(self)
    finally:
        for alias in self._databases_names(include_mirrors=False):
            audit_sql.install(connections[alias])
            ledger_sql.install(connections[alias])
            line_refs_sql.install(connections[alias])


TransactionTestCase._fixture_teardown = _teardown_with_audit_flush


@pytest.fixture
def make_user(db):
    from minzheng.accounts import services
    from minzheng.geo.models import Region

    def make(username: str, role: str, region_code: str = COUNTY, **kw):
        user, _ = services.user_create(
            actor=None,
            username=username,
            full_name=kw.pop("full_name", username),
            region=Region.objects.get(code=region_code),
            password=STRONG_PASSWORD,
            must_change_password=kw.pop("must_change_password", False),
            **kw,
        )
        services.user_set_roles(actor=None, user=user, roles={role})
        return user

    return make


@pytest.fixture
def county_admin(make_user):
    return make_user("county_admin", "county_admin", COUNTY)


@pytest.fixture
def officer_a(make_user):
    return make_user("officer_a", "town_officer", TOWN_A)


@pytest.fixture
def officer_b(make_user):
    return make_user("officer_b", "town_officer", TOWN_B)


@pytest.fixture
def cadre_a(make_user):
    return make_user("cadre_a", "village_cadre", VILLAGE_A)


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", "auditor", COUNTY)


@pytest.fixture
def admins(make_user):
    """The three separated administrators, each with a TOTP device."""
    from minzheng.accounts import services

    out = {}
    for name, role in (
        ("sysadmin", "system_admin"),
        ("secadmin", "security_admin"),
        ("auditadmin", "audit_admin"),
    ):
        user = make_user(name, role, COUNTY)
        services.totp_device_create(actor=None, user=user)
        out[role] = user
    return out


def totp_now(user) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def login_as(client):
    """Log a user in through the real log-in page (password and, for admins, TOTP)."""

    def do(user, password: str = STRONG_PASSWORD):
        data = {"username": user.username, "password": password}
        if user.is_admin_role:
            data["otp_token"] = totp_now(user)
        resp = client.post("/accounts/login/", data)
        assert resp.status_code == 302, resp.content.decode()[:500]
        return client

    return do
