"""Fixtures for the 三员 screens: every standard actor, keyed by a short name."""

from __future__ import annotations

import pytest

ADMIN_NAMES = ("system_admin", "security_admin", "audit_admin")
BUSINESS_NAMES = ("county_admin", "officer_a", "auditor")


@pytest.fixture
def actors(admins, county_admin, officer_a, auditor):
    return {**admins, "county_admin": county_admin, "officer_a": officer_a, "auditor": auditor}


@pytest.fixture
def admin_client(login_as, admins):
    """Log in as one of the three administrators by role name."""

    def do(role: str):
        return login_as(admins[role])

    return do
