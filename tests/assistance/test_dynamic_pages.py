"""The dynamic-management pages: allowed and denied for each standard actor, across regions."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from minzheng.assistance import dynamic
from minzheng.assistance.models import Enrollment, EnrollmentDecision, ReviewTask
from minzheng.core.models import AuditEvent
from minzheng.registry.models import Person
from tests.assistance.dynamic_helpers import dibao_household, enroll, months_from_now, today
from tests.registry.factories import VILLAGE_B

pytestmark = pytest.mark.django_db
BASE = "/assistance/manage"


@pytest.fixture
def tasks(officer_a):
    """An open periodic task in town A (due) and one in town B."""
    a = enroll(programme="tekun", start=months_from_now(-13))
    b = enroll(programme="tekun", start=months_from_now(-13), payee=None)
    Enrollment.objects.filter(pk=b.pk).update(region_id=VILLAGE_B)
    b.refresh_from_db()
    for e in (a, b):
        ReviewTask.objects.create(
            kind="periodic",
            enrollment=e,
            person=e.payee,
            region_id=e.region_id,
            county_code="340521",
            triggered_on=months_from_now(-13),
            due_on=months_from_now(-1),
            reason="特困人员每年复核一次",
        )
    return a, b


def test_anonymous_users_are_sent_to_log_in(client):
    resp = client.get(f"{BASE}/tasks/")
    assert resp.status_code == 302
    assert "/accounts/login/" in resp["Location"]


def test_town_officer_sees_own_tasks_only(login_as, officer_a, tasks):
    a, b = tasks
    resp = login_as(officer_a).get(f"{BASE}/tasks/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert a.payee.name in html
    assert str(b.review_tasks.get().public_id) not in html
    assert "逾期" in html


def test_task_list_filters_by_village_and_due(login_as, county_admin, tasks):
    client = login_as(county_admin)
    a, b = tasks
    html = client.get(f"{BASE}/tasks/?village={VILLAGE_B}&due=overdue&status=open").content.decode()
    assert str(b.review_tasks.get().public_id) in html
    assert str(a.review_tasks.get().public_id) not in html
    assert "共 1 项" in html
    html = client.get(f"{BASE}/tasks/?due=30&status=done").content.decode()
    assert "共 0 项" in html


def test_task_in_another_town_is_404(login_as, officer_b, tasks):
    task = tasks[0].review_tasks.get()
    assert login_as(officer_b).get(f"{BASE}/tasks/{task.public_id}/").status_code == 404


def test_village_cadre_completes_a_review(login_as, cadre_a, tasks):
    task = tasks[0].review_tasks.get()
    resp = login_as(cadre_a).post(
        f"{BASE}/tasks/{task.public_id}/", {"outcome": "unchanged", "note": "入户核查，无变化"}
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    # and the next yearly review is scheduled
    assert ReviewTask.objects.filter(enrollment=tasks[0], status="open", kind="periodic").exists()


def test_auditor_reads_but_cannot_complete(login_as, auditor, tasks):
    task = tasks[0].review_tasks.get()
    client = login_as(auditor)
    assert client.get(f"{BASE}/tasks/{task.public_id}/").status_code == 200
    resp = client.post(
        f"{BASE}/tasks/{task.public_id}/", {"outcome": "unchanged", "note": "无变化无变化"}
    )
    assert resp.status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_export_is_an_audited_workbook_of_the_users_tasks(login_as, officer_a, tasks):
    resp = login_as(officer_a).get(f"{BASE}/tasks/?export=xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "任务类型"
    assert len(rows) == 2  # header and town A's task only
    assert rows[1][1] == tasks[0].payee.name
    assert AuditEvent.objects.filter(action="assistance.tasks.export").exists()


def test_hotline_operator_may_not_export(login_as, make_user, tasks):
    user = make_user("hotline", "hotline_operator", "340521")
    resp = login_as(user).get(f"{BASE}/tasks/?export=xlsx")
    assert resp.status_code == 403


def test_the_scan_button_raises_tasks_for_the_officer(login_as, officer_a):
    e = enroll(programme="tekun")
    resp = login_as(officer_a).post(f"{BASE}/tasks/scan/")
    assert resp.status_code == 302
    assert ReviewTask.objects.filter(enrollment=e, kind="periodic").exists()


def test_the_scan_button_is_refused_to_a_village_cadre(login_as, cadre_a):
    enroll(programme="tekun")
    resp = login_as(cadre_a).post(f"{BASE}/tasks/scan/")
    assert resp.status_code == 403
    assert not ReviewTask.objects.exists()


# --- enrollment page and actions ---------------------------------------------------------------


def test_enrollment_page_shows_actions_to_a_decider(login_as, officer_a):
    _hh, e, _ = dibao_household(2)
    html = login_as(officer_a).get(f"{BASE}/enrollments/{e.public_id}/").content.decode()
    for label in ("暂停发放", "调整金额", "安排渐退", "停发个人份额", "终止保障"):
        assert label in html


def test_enrollment_page_hides_decisions_from_a_village_cadre(login_as, cadre_a):
    _hh, e, _ = dibao_household(2)
    html = login_as(cadre_a).get(f"{BASE}/enrollments/{e.public_id}/").content.decode()
    assert "终止保障" not in html
    assert "登记就业介绍" in html


def test_enrollment_in_another_town_is_404(login_as, officer_b):
    e = enroll()
    client = login_as(officer_b)
    assert client.get(f"{BASE}/enrollments/{e.public_id}/").status_code == 404
    assert client.get(f"{BASE}/enrollments/{e.public_id}/suspend/").status_code == 404


def test_reduce_through_the_page_with_a_reason(login_as, officer_a):
    e = enroll(amount_fen=90000)
    month = months_from_now(1)
    resp = login_as(officer_a).post(
        f"{BASE}/enrollments/{e.public_id}/amount/",
        {
            "from_month": f"{month:%Y-%m}",
            "amount": "650.50",
            "reason": "家庭收入增加，按差额重新核定",
        },
    )
    assert resp.status_code == 302
    d = EnrollmentDecision.objects.get(enrollment=e)
    assert (d.kind, d.amount_after_fen) == ("reduce", 65050)


def test_a_refused_action_shows_the_rule_on_the_form(login_as, officer_a):
    e = enroll()
    resp = login_as(officer_a).post(
        f"{BASE}/enrollments/{e.public_id}/amount/",
        {"from_month": f"{months_from_now(0):%Y-%m}", "amount": "100", "reason": "家庭收入增加"},
    )
    assert resp.status_code == 200
    assert "次月起执行" in resp.content.decode()
    assert not EnrollmentDecision.objects.exists()


def test_village_cadre_cannot_open_a_decision_form(login_as, cadre_a):
    e = enroll()
    resp = login_as(cadre_a).get(f"{BASE}/enrollments/{e.public_id}/end/")
    assert resp.status_code == 403


def test_auditor_cannot_post_an_action(login_as, auditor):
    e = enroll()
    resp = login_as(auditor).post(
        f"{BASE}/enrollments/{e.public_id}/suspend/",
        {"from_month": f"{months_from_now(1):%Y-%m}", "reason": "联系不上本人"},
    )
    assert resp.status_code == 403
    assert not e.suspensions.exists()


def test_jiantui_is_previewed_then_confirmed(login_as, officer_a):
    _hh, e, _ = dibao_household(2, amount_fen=90000)
    client = login_as(officer_a)
    data = {
        "first_month": f"{months_from_now(1):%Y-%m}",
        "months": "3",
        "reason": "儿子就业后收入超过标准",
    }
    resp = client.post(f"{BASE}/enrollments/{e.public_id}/jiantui/", data)
    html = resp.content.decode()
    assert "渐退安排预览" in html
    assert "675.00" in html
    assert not EnrollmentDecision.objects.exists()
    resp = client.post(f"{BASE}/enrollments/{e.public_id}/jiantui/", {**data, "confirm": "1"})
    assert resp.status_code == 302
    assert EnrollmentDecision.objects.get(enrollment=e).kind == "jiantui"


def test_the_notice_names_the_reason_and_basis(login_as, officer_a):
    e = enroll()
    d = dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="income_above", reason="儿子务工，人均收入超过标准"
    )
    html = login_as(officer_a).get(f"{BASE}/decisions/{d.public_id}/").content.decode()
    assert "儿子务工，人均收入超过标准" in html
    assert "第三十二条" in html
    assert "行政复议" in html
    assert "当涂县民政局" in html


def test_tekun_publicity_is_closed_from_the_notice_page(login_as, officer_a):
    e = enroll(programme="tekun")
    d = dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="voluntary", reason="本人书面申请退出"
    )
    EnrollmentDecision.objects.filter(pk=d.pk).update(publicity_to=today() - dt.timedelta(days=1))
    resp = login_as(officer_a).post(
        f"{BASE}/decisions/{d.public_id}/", {"action": "close", "note": ""}
    )
    assert resp.status_code == 302
    e.refresh_from_db()
    assert e.end_month == months_from_now(0)


# --- death ------------------------------------------------------------------------------------


def test_recording_a_death_shows_the_one_step_result(login_as, officer_a):
    previous = dynamic._paid_months_provider
    dynamic.set_paid_months_provider(lambda enrollments, from_month: {})
    try:
        _hh, _dibao, (head, _wife, _son) = dibao_household(3)
        enroll(programme="gaoling", payee=head, amount_fen=5000)
        client = login_as(officer_a)
        form = client.get(f"{BASE}/persons/{head.public_id}/death/")
        assert "高龄补贴" in form.content.decode()
        resp = client.post(
            f"{BASE}/persons/{head.public_id}/death/",
            {"died_on": today().isoformat(), "version": head.version},
        )
        assert resp.status_code == 302
        assert resp["Location"].endswith(f"/persons/{head.public_id}/death/result/")
        html = client.get(resp["Location"]).content.decode()
    finally:
        dynamic.set_paid_months_provider(previous)
    assert Person.objects.get(pk=head.pk).status == Person.Status.DECEASED
    assert "最低生活保障" in html and "高龄补贴" in html
    assert html.count("死亡终止") >= 2
    assert "3个月内复核" in html


def test_an_officer_of_another_town_cannot_open_the_death_form(login_as, officer_b):
    _hh, _e, (head,) = dibao_household(1)
    assert login_as(officer_b).get(f"{BASE}/persons/{head.public_id}/death/").status_code == 404


def test_auditor_may_not_record_a_death(login_as, auditor):
    _hh, _e, (head,) = dibao_household(1)
    resp = login_as(auditor).post(
        f"{BASE}/persons/{head.public_id}/death/", {"died_on": today().isoformat(), "version": 1}
    )
    assert resp.status_code == 403
    assert Person.objects.get(pk=head.pk).status == Person.Status.LIVING


def test_menu_lists_the_task_list(login_as, officer_a):
    html = login_as(officer_a).get(f"{BASE}/enrollments/").content.decode()
    assert "动态管理任务" in html
    assert 'href="/assistance/manage/tasks/"' in html
