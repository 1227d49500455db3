"""One error shape everywhere, and the OpenAPI description and docs page (served locally)."""

import re

import pytest

from minzheng.geo import selectors
from tests.api.conftest import TOKEN_URL, bearer

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/regions": {"get"},
    "/api/v1/regions/{code}": {"get"},
    "/api/v1/jobs": {"get"},
    "/api/v1/jobs/{public_id}": {"get"},
    "/api/v1/jobs/audit-verify": {"post"},
    "/api/v1/assess": {"post"},
}


def _is_error_shape(body) -> bool:
    return (
        set(body) == {"error"}
        and {"code", "message"} <= set(body["error"])
        and set(body["error"]) <= {"code", "message", "field"}
    )


def test_the_openapi_description_lists_every_endpoint(client, officer_a, token_for):
    resp = client.get("/api/v1/openapi.json", headers=bearer(token_for(officer_a)))
    assert resp.status_code == 200
    schema = resp.json()
    assert schema["openapi"].startswith("3.")
    paths = {p: set(ops) for p, ops in schema["paths"].items()}
    assert paths == ENDPOINTS
    assert "ErrorOut" in schema["components"]["schemas"]


def test_the_openapi_description_needs_a_signed_in_caller(client, db):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 401
    assert _is_error_shape(resp.json())


def test_the_docs_page_loads_swagger_from_our_own_static_files(login_as, officer_a):
    browser = login_as(officer_a)
    resp = browser.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing may load from another host"
    for asset in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"):
        assert asset in html
        assert browser.get(asset).status_code == 200  # and we really serve it


def test_the_docs_page_needs_a_signed_in_caller(client, db):
    assert client.get("/api/v1/docs").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing-here", "/api/v1/me/extra"])
def test_an_unknown_address_is_a_json_404(client, officer_a, token_for, path):
    resp = client.get(path, headers=bearer(token_for(officer_a)))
    assert resp.status_code == 404
    assert resp.json() == {"error": {"code": "not_found", "message": "记录不存在或无权访问"}}


def test_a_wrong_method_is_a_json_405(client, officer_a, token_for):
    resp = client.delete("/api/v1/me", headers=bearer(token_for(officer_a)))
    assert resp.status_code == 405
    assert resp.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp["Allow"]


def test_a_missing_field_is_a_422_that_names_it(client, db):
    resp = client.post(TOKEN_URL, {"username": "officer_a"}, content_type="application/json")
    assert resp.status_code == 422
    assert resp.json() == {
        "error": {
            "code": "validation_error",
            "message": "请求参数不正确：password：必须填写",
            "field": "password",
        }
    }


def test_a_body_that_is_not_json_is_a_400_in_the_same_shape(client, db):
    resp = client.post(TOKEN_URL, "username=x", content_type="application/json")
    assert resp.status_code == 400
    assert _is_error_shape(resp.json())
    assert resp.json()["error"]["code"] == "bad_request"
    assert "JSON" in resp.json()["error"]["message"]


def test_the_password_is_never_echoed_in_an_error(client, db):
    resp = client.post(
        TOKEN_URL,
        {"username": "x" * 200, "password": "Secret#Value99"},
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "username"
    assert "Secret#Value99" not in resp.content.decode()


def test_an_unexpected_error_is_a_json_500_without_details(
    client, officer_a, token_for, monkeypatch
):
    token = token_for(officer_a)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "region_list_for_user", broken)
    resp = client.get("/api/v1/regions", headers=bearer(token))
    assert resp.status_code == 500
    assert resp.json() == {
        "error": {"code": "server_error", "message": "服务器内部错误，请稍后再试或联系系统管理员"}
    }
    assert "secret internals" not in resp.content.decode()


def test_a_domain_error_keeps_its_status_code_and_field(client, officer_a, token_for, monkeypatch):
    from minzheng.core.exceptions import ConcurrentEditError

    token = token_for(officer_a)

    def conflict(*args, **kwargs):
        raise ConcurrentEditError("该记录已被他人修改，请刷新后重试", field="version")

    monkeypatch.setattr(selectors, "region_list_for_user", conflict)
    resp = client.get("/api/v1/regions", headers=bearer(token))
    assert resp.status_code == 409
    assert resp.json() == {
        "error": {
            "code": "conflict",
            "message": "该记录已被他人修改，请刷新后重试",
            "field": "version",
        }
    }
