"""Helpers for API tests: log in through ``POST /api/v1/auth/token`` like a real client."""

from __future__ import annotations

import pytest

from tests.conftest import STRONG_PASSWORD, totp_now

TOKEN_URL = "/api/v1/auth/token"


def post_token(client, username, password, otp=""):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password, "otp_token": otp},
        content_type="application/json",
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(client):
    """A fresh API token for a user, obtained through the log-in endpoint."""

    def get(user, password: str = STRONG_PASSWORD) -> str:
        otp = totp_now(user) if user.is_admin_role else ""
        resp = post_token(client, user.username, password, otp)
        assert resp.status_code == 200, resp.content.decode()
        return resp.json()["token"]

    return get


@pytest.fixture
def api_get(client, token_for):
    """GET an API path as a user (bearer token); returns the response."""

    def get(user, path: str, **params):
        return client.get(path, params, headers=bearer(token_for(user)))

    return get
