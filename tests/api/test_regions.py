"""Regions through the API: the caller's subtree only; elsewhere looks like nowhere (AC-1, AC-6)."""

import pytest

from minzheng.accounts.roles import BUSINESS_ROLES
from minzheng.geo.models import Region
from tests.api.conftest import bearer
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A

pytestmark = pytest.mark.django_db

MISSING = "340521999999"


def _codes(resp):
    return [r["code"] for r in resp.json()["items"]]


def test_the_list_holds_exactly_the_callers_subtree(client, officer_a, token_for):
    resp = client.get("/api/v1/regions", {"page_size": 500}, headers=bearer(token_for(officer_a)))
    assert resp.status_code == 200
    expected = list(
        Region.objects.filter(code__startswith=TOWN_A)
        .order_by("code")
        .values_list("code", flat=True)
    )
    assert _codes(resp) == expected
    assert resp.json()["count"] == len(expected)
    assert TOWN_B not in _codes(resp)


def test_the_county_administrator_sees_every_town(client, county_admin, token_for):
    resp = client.get(
        "/api/v1/regions",
        {"level": "town", "page_size": 500},
        headers=bearer(token_for(county_admin)),
    )
    codes = _codes(resp)
    assert TOWN_A in codes
    assert TOWN_B in codes
    assert all(c.startswith(COUNTY) for c in codes)


def test_filter_by_level_and_parent(client, county_admin, token_for):
    resp = client.get(
        "/api/v1/regions",
        {"level": "village", "parent": TOWN_A, "page_size": 500},
        headers=bearer(token_for(county_admin)),
    )
    rows = resp.json()["items"]
    assert rows
    assert {r["level"] for r in rows} == {"village"}
    assert {r["parent_code"] for r in rows} == {TOWN_A}
    assert rows[0]["level_label"] == "村"


def test_a_parent_outside_the_subtree_gives_nothing(client, officer_a, token_for):
    resp = client.get("/api/v1/regions", {"parent": TOWN_B}, headers=bearer(token_for(officer_a)))
    assert resp.json() == {"items": [], "count": 0}


def test_the_list_is_paginated(client, county_admin, token_for):
    token = token_for(county_admin)
    first = client.get("/api/v1/regions", {"page_size": 5}, headers=bearer(token)).json()
    second = client.get(
        "/api/v1/regions", {"page_size": 5, "page": 2}, headers=bearer(token)
    ).json()
    assert len(first["items"]) == 5
    assert first["count"] == Region.objects.filter(code__startswith=COUNTY).count()
    assert not set(_codes_of(first)) & set(_codes_of(second))


def _codes_of(body):
    return [r["code"] for r in body["items"]]


def test_an_unknown_level_is_a_422_naming_the_field(client, officer_a, token_for):
    resp = client.get("/api/v1/regions", {"level": "planet"}, headers=bearer(token_for(officer_a)))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == "level"
    assert "level" in error["message"]
    assert "取值不在允许范围内" in error["message"]


def test_the_list_reads_a_bounded_number_of_queries(
    client, county_admin, token_for, django_assert_max_num_queries
):
    token = token_for(county_admin)
    with django_assert_max_num_queries(7):
        resp = client.get("/api/v1/regions", {"page_size": 500}, headers=bearer(token))
    assert len(resp.json()["items"]) > 100


def test_a_region_inside_the_subtree_is_shown(client, officer_a, token_for):
    resp = client.get(f"/api/v1/regions/{VILLAGE_A}", headers=bearer(token_for(officer_a)))
    assert resp.status_code == 200
    assert resp.json()["code"] == VILLAGE_A
    assert resp.json()["parent_code"] == TOWN_A


@pytest.mark.parametrize("role", sorted(BUSINESS_ROLES))
def test_a_region_of_another_town_looks_exactly_like_a_missing_one(
    client, make_user, token_for, role
):
    user = make_user(f"{role}_a", role, TOWN_A)
    token = token_for(user)
    other = client.get(f"/api/v1/regions/{TOWN_B}", headers=bearer(token))
    missing = client.get(f"/api/v1/regions/{MISSING}", headers=bearer(token))
    assert other.status_code == 404
    assert (
        other.json()
        == missing.json()
        == {"error": {"code": "not_found", "message": "记录不存在或无权访问"}}
    )
    assert own_town_is_visible(client, token)


def own_town_is_visible(client, token) -> bool:
    return client.get(f"/api/v1/regions/{TOWN_A}", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_administrators_may_not_read_business_regions(client, admins, token_for, role):
    token = token_for(admins[role])
    for path in ("/api/v1/regions", f"/api/v1/regions/{TOWN_A}"):
        resp = client.get(path, headers=bearer(token))
        assert resp.status_code == 403
        assert resp.json() == {
            "error": {"code": "permission_denied", "message": "您没有执行此操作的权限"}
        }
