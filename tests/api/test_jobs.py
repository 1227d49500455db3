"""Background jobs through the API: start the audit check, follow its progress (AU-3)."""

import uuid

import pytest

from minzheng.core import audit, jobs
from minzheng.core.models import AuditEvent, JobProgress
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_the_audit_administrator_starts_the_chain_check_and_sees_it_finish(
    client, admins, token_for
):
    token = token_for(admins["audit_admin"])
    resp = client.post("/api/v1/jobs/audit-verify", headers=bearer(token))
    assert resp.status_code == 202
    job = resp.json()
    assert job["kind"] == "audit.verify"
    # the immediate backend of the tests has already run it
    detail = client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(token)).json()
    assert detail["status"] == "done"
    assert detail["status_label"] == "已完成"
    assert detail["percent"] == 100
    assert detail["result"]["ok"] is True
    assert detail["done"] == detail["result"]["checked"] > 0
    assert "哈希链无断裂" in detail["message"]


def test_starting_and_finishing_the_check_are_audited(client, admins, token_for):
    token = token_for(admins["audit_admin"])
    client.post("/api/v1/jobs/audit-verify", headers=bearer(token))
    actor = admins["audit_admin"].pk
    assert AuditEvent.objects.filter(action="job.start", actor_id=actor).exists()
    check = AuditEvent.objects.filter(action="audit.verify").latest("seq")
    assert (check.actor_id, check.outcome) == (actor, "success")
    assert check.detail["channel"] == "task"


def test_a_tampered_trail_is_reported_by_the_job(client, admins, token_for, monkeypatch):
    token = token_for(admins["audit_admin"])
    monkeypatch.setattr(
        audit,
        "verify",
        lambda **kw: audit.VerifyReport(False, 3, 4, "记录 #4 的内容被改动（哈希不符）"),
    )
    job = client.post("/api/v1/jobs/audit-verify", headers=bearer(token)).json()
    assert job["result"]["ok"] is False
    assert "发现审计日志被篡改" in job["message"]
    assert AuditEvent.objects.filter(action="audit.verify").latest("seq").outcome == "failure"


@pytest.mark.parametrize("actor", ["county_admin", "officer_a", "auditor"])
def test_business_roles_may_not_start_the_chain_check(client, token_for, request, actor):
    user = request.getfixturevalue(actor)
    resp = client.post("/api/v1/jobs/audit-verify", headers=bearer(token_for(user)))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "permission_denied"
    assert not JobProgress.objects.exists()


def test_the_system_administrator_may_not_start_the_chain_check(client, admins, token_for):
    resp = client.post(
        "/api/v1/jobs/audit-verify", headers=bearer(token_for(admins["system_admin"]))
    )
    assert resp.status_code == 403


def test_progress_of_a_running_job_is_visible(client, officer_a, token_for):
    job = JobProgress.objects.create(kind="test", title="导入", owner_id=officer_a.pk)
    jobs.progress(job.pk, 30, 120, "已导入 30 行")
    body = client.get(f"/api/v1/jobs/{job.public_id}", headers=bearer(token_for(officer_a))).json()
    assert (body["status"], body["done"], body["total"], body["percent"]) == (
        "running",
        30,
        120,
        25,
    )
    assert body["message"] == "已导入 30 行"


def test_a_failed_job_shows_its_chinese_message(client, officer_a, token_for):
    job = JobProgress.objects.create(kind="test", title="导入", owner_id=officer_a.pk)
    jobs.fail(job.pk, "第 3 行身份证号码校验位不正确")
    body = client.get(f"/api/v1/jobs/{job.public_id}", headers=bearer(token_for(officer_a))).json()
    assert (body["status"], body["status_label"]) == ("failed", "失败")
    assert body["message"] == "第 3 行身份证号码校验位不正确"


def test_the_list_holds_only_the_callers_own_jobs(client, officer_a, officer_b, token_for):
    mine = JobProgress.objects.create(kind="test", title="我的", owner_id=officer_a.pk)
    JobProgress.objects.create(kind="test", title="别人的", owner_id=officer_b.pk)
    body = client.get("/api/v1/jobs", headers=bearer(token_for(officer_a))).json()
    assert [j["id"] for j in body["items"]] == [str(mine.public_id)]
    assert body["count"] == 1


def test_the_list_filters_by_status(client, officer_a, token_for):
    done = JobProgress.objects.create(kind="test", title="甲", owner_id=officer_a.pk)
    jobs.finish(done.pk, message="完成")
    JobProgress.objects.create(kind="test", title="乙", owner_id=officer_a.pk)
    body = client.get(
        "/api/v1/jobs", {"status": "done"}, headers=bearer(token_for(officer_a))
    ).json()
    assert [j["title"] for j in body["items"]] == ["甲"]


def test_another_users_job_looks_exactly_like_a_missing_one(
    client, officer_a, officer_b, token_for
):
    theirs = JobProgress.objects.create(kind="test", title="甲镇导入", owner_id=officer_a.pk)
    token = token_for(officer_b)
    other = client.get(f"/api/v1/jobs/{theirs.public_id}", headers=bearer(token))
    missing = client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=bearer(token))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
