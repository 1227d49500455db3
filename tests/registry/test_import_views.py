"""The import page: template download, preview then import, error workbook, permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from minzheng.registry.models import Person

from .datafiles import HEADER, household_rows, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.registry.urls_with_import")]
ID_COL = HEADER.index("公民身份号码")


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Uploads and error workbooks go to a temporary directory, not the real var/."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def officer_client(login_as, officer_a):
    return login_as(officer_a)


def test_officer_downloads_the_template(officer_client):
    resp = officer_client.get("/registry/import/template.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")


def test_preview_then_import_with_error_workbook(officer_client, tmp_path, settings):
    rows = household_rows(3)
    rows[0][ID_COL] = rows[0][ID_COL][:17] + ("0" if rows[0][ID_COL][17] != "0" else "1")
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    with path.open("rb") as f:
        resp = officer_client.post("/registry/import/", {"file": f, "mode": "valid_rows"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "校验码错误" in body
    assert 'data-testid="valid-rows">5<' in body
    assert Person.objects.count() == 0  # a preview writes nothing
    token = resp.context["token"]
    resp = officer_client.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    assert 'data-testid="imported">5<' in resp.content.decode()
    assert Person.objects.count() == 5
    assert not list(Path(settings.VAR_DIR, "imports").glob(f"{token}.xlsx"))  # upload removed
    errors = officer_client.get(f"/registry/import/{token}/errors.xlsx")
    assert errors.status_code == 200


def test_another_users_token_is_not_found(officer_client, login_as, officer_b, tmp_path, client):
    path = write_xlsx(tmp_path / "in.xlsx", household_rows(1))
    with path.open("rb") as f:
        token = officer_client.post("/registry/import/", {"file": f}).context["token"]
    client.logout()
    other = login_as(officer_b)
    resp = other.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    assert resp.status_code == 404
    assert Person.objects.count() == 0


def test_wrong_file_type_is_refused_with_a_reason(officer_client, tmp_path):
    path = tmp_path / "in.pdf"
    path.write_bytes(b"%PDF")
    with path.open("rb") as f:
        resp = officer_client.post("/registry/import/", {"file": f})
    assert resp.status_code == 400
    assert "只能导入 xlsx 或 csv" in resp.content.decode()


def test_village_cadre_may_not_import(login_as, cadre_a):
    resp = login_as(cadre_a).get("/registry/import/")
    assert resp.status_code == 403
