"""The import page: template download, preview then import as background jobs, error workbook,
job ownership, permissions. Tests run the immediate task backend: a job started by a request
has finished when the request returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minzheng.core.models import JobProgress
from minzheng.registry import tasks
from minzheng.registry.models import Household, Person

from .datafiles import HEADER, household_rows, write_csv, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.registry.urls_with_import")]
ID_COL = HEADER.index("公民身份号码")


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Uploads and error workbooks go to a temporary directory, not the real var/."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def officer_client(login_as, officer_a):
    return login_as(officer_a)


def _upload(client, path: Path, mode: str = "valid_rows"):
    with path.open("rb") as f:
        return client.post("/registry/import/", {"file": f, "mode": mode})


def _bad_check_char(rows: list[list]) -> str:
    """Spoil the check character of the first row's ID; return the spoilt number."""
    number = rows[0][ID_COL]
    rows[0][ID_COL] = number[:17] + ("0" if number[17] != "0" else "1")
    return rows[0][ID_COL]


def test_officer_downloads_the_template(officer_client):
    resp = officer_client.get("/registry/import/template.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_preview_runs_as_a_job_and_its_result_is_shown(officer_client, officer_a, tmp_path):
    rows = household_rows(3)  # 1 + 2 + 3 members
    bad_id = _bad_check_char(rows)
    resp = _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", rows))
    assert resp.status_code == 200
    job = JobProgress.objects.get()
    assert (job.kind, job.owner_id, job.status) == ("registry.import", officer_a.pk, "done")
    assert set(job.params) == {"token", "path", "name", "mode", "dry_run"}
    assert job.params["dry_run"] is True and job.params["name"] == "in.xlsx"
    assert job.result["outcome"] == "preview"
    assert (job.result["valid_rows"], job.result["error_rows"]) == (5, 1)
    body = resp.content.decode()
    assert 'data-testid="import-result"' in body
    assert "校验码错误" in body
    assert 'data-testid="valid-rows">5<' in body
    assert 'data-testid="confirm-import"' in body
    assert 'hx-trigger="every 2s"' not in body  # finished: nothing left to poll
    assert Person.objects.count() == 0  # a preview writes nothing
    # the job keeps counts and reasons, never the file's content
    stored = json.dumps([job.params, job.result, job.message], ensure_ascii=False)
    assert bad_id not in stored and rows[0][2] not in stored


def test_confirming_starts_the_import_job_which_creates_the_households(
    officer_client, tmp_path, settings
):
    rows = household_rows(3)
    _bad_check_char(rows)  # household 1 (one member) is kept back
    token = _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", rows)).context["token"]
    resp = officer_client.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    assert resp.status_code == 200
    job = JobProgress.objects.filter(params__dry_run=False).get()
    assert (job.status, job.params["token"], job.params["mode"]) == ("done", token, "valid_rows")
    assert job.result["outcome"] == "imported"
    assert job.result["has_error_workbook"] is True
    assert job.message == "导入完成：已导入 2 户 5 人，1 行有错误未导入"
    assert Person.objects.count() == 5
    assert Household.objects.count() == 2
    body = resp.content.decode()
    assert 'data-testid="imported">5<' in body
    assert 'data-testid="errors-link"' in body
    assert not list(Path(settings.VAR_DIR, "imports").glob(f"{token}.xlsx"))  # upload removed
    errors = officer_client.get(f"/registry/import/{token}/errors.xlsx")
    assert errors.status_code == 200


def test_a_file_is_imported_once(officer_client, tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", household_rows(2))
    token = _upload(officer_client, path).context["token"]
    officer_client.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    again = officer_client.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    assert again.status_code == 400
    assert "已经提交导入" in again.content.decode()
    assert JobProgress.objects.filter(params__dry_run=False).count() == 1
    assert Person.objects.count() == 3


def test_the_job_status_partial_shows_the_owners_job(officer_client, tmp_path):
    _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", household_rows(2)))
    job = JobProgress.objects.get()
    resp = officer_client.get(f"/registry/import/jobs/{job.public_id}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'data-status="done"' in body
    assert 'data-testid="valid-rows">3<' in body


def test_a_running_job_is_polled_with_its_progress(officer_client, officer_a):
    job = JobProgress.objects.create(
        kind="registry.import",
        title="批量导入预览：in.xlsx",
        owner_id=officer_a.pk,
        status=JobProgress.Status.RUNNING,
        done=40_000,
        total=100_000,
        message="已检查 40000 / 100000 行",
        params={
            "token": "t",
            "path": "/nowhere",
            "name": "in.xlsx",
            "mode": "valid_rows",
            "dry_run": True,
        },
    )
    body = officer_client.get(f"/registry/import/jobs/{job.public_id}/").content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert f'hx-get="/registry/import/jobs/{job.public_id}/"' in body
    assert "width: 40%" in body
    assert "已检查 40000 / 100000 行" in body
    assert 'data-testid="import-result"' not in body


def test_another_users_job_is_not_found(officer_client, login_as, officer_b, tmp_path, client):
    _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", household_rows(1)))
    job = JobProgress.objects.get()
    assert officer_client.get(f"/registry/import/jobs/{job.public_id}/").status_code == 200
    client.logout()
    other = login_as(officer_b)
    assert other.get(f"/registry/import/jobs/{job.public_id}/").status_code == 404


def test_a_job_of_another_kind_is_not_shown_here(officer_client, officer_a):
    job = JobProgress.objects.create(kind="audit.verify", title="审计", owner_id=officer_a.pk)
    assert officer_client.get(f"/registry/import/jobs/{job.public_id}/").status_code == 404


def test_another_users_token_is_not_found(officer_client, login_as, officer_b, tmp_path, client):
    token = _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", household_rows(1))).context[
        "token"
    ]
    client.logout()
    other = login_as(officer_b)
    resp = other.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    assert resp.status_code == 404
    assert Person.objects.count() == 0
    assert not JobProgress.objects.filter(params__dry_run=False).exists()


def test_a_file_that_cannot_be_read_fails_its_job_with_a_chinese_message(officer_client, tmp_path):
    path = write_csv(tmp_path / "in.csv", household_rows(1))
    path.write_text("姓名,电话\n张三,13800000000\n", encoding="utf-8")  # no required columns
    resp = _upload(officer_client, path)
    job = JobProgress.objects.get()
    assert job.status == "failed"
    assert job.message.startswith("第1行缺少必填列：户编号")
    body = resp.content.decode()
    assert 'data-testid="import-error"' in body
    assert "第1行缺少必填列" in body
    assert 'data-testid="confirm-import"' not in body


def test_the_jobs_page_lists_the_import_jobs(officer_client, tmp_path):
    token = _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", household_rows(2))).context[
        "token"
    ]
    officer_client.post("/registry/import/", {"token": token, "mode": "valid_rows"})
    body = officer_client.get("/jobs/").content.decode()
    assert "批量导入预览：in.xlsx" in body
    assert "批量导入：in.xlsx" in body
    assert "导入完成：已导入 2 户 3 人" in body


def test_wrong_file_type_is_refused_with_a_reason(officer_client, tmp_path):
    path = tmp_path / "in.pdf"
    path.write_bytes(b"%PDF")
    with path.open("rb") as f:
        resp = officer_client.post("/registry/import/", {"file": f})
    assert resp.status_code == 400
    assert "只能导入 xlsx 或 csv" in resp.content.decode()
    assert not JobProgress.objects.exists()


def test_village_cadre_may_not_import(login_as, cadre_a):
    resp = login_as(cadre_a).get("/registry/import/")
    assert resp.status_code == 403


def test_progress_is_written_now_and_then_not_for_every_call(monkeypatch):
    written: list[tuple[int, int, str]] = []
    monkeypatch.setattr(
        tasks.jobs, "progress", lambda job_id, d, t, m="": written.append((d, t, m))
    )
    report = tasks._Reporter(1, dry_run=False)
    for done in range(0, 200_001, 500):  # 100,000 rows: checking, then writing
        report(done, 200_000)
    assert len(written) == 101  # the first call, every 1 % (2,000 units), the last
    assert written[0] == (0, 200_000, "已检查 0 / 100000 行")
    assert written[-1] == (200_000, 200_000, "检查完毕，正在写入（100000 / 100000）")


def test_an_id_excel_stored_as_a_number_is_masked_in_the_result(officer_client, tmp_path):
    rows = household_rows(1)
    number = rows[0][ID_COL]
    rows[0][ID_COL] = float(number[:17] + "0")  # Excel keeps 15 significant digits
    _upload(officer_client, write_xlsx(tmp_path / "in.xlsx", rows))
    job = JobProgress.objects.get()
    (reason,) = job.result["first_errors"]
    assert "身份证号被 Excel 存成了数字" in reason
    digits = f"{float(number[:17] + '0'):.0f}"
    assert digits not in reason
    assert digits[:6] + "********" + digits[-4:] in reason
