"""Payments pages: who may see and do what, across regions, and what each page shows."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from minzheng.core.models import AuditEvent
from minzheng.payments import services
from minzheng.payments.models import PayeeAccount, PaymentException, PaymentLine, PaymentRun
from tests.conftest import TOWN_B
from tests.payments.factories import AUG, JUL, enroll, region
from tests.payments.helpers import return_csv
from tests.registry.factories import VILLAGE_B

pytestmark = pytest.mark.django_db


def _id_number(person) -> str:
    person.refresh_from_db()
    return person.id_number.reveal()


@pytest.fixture
def county_run(pay):
    enroll(amount=50000)
    enroll(amount=30000, region=VILLAGE_B)
    return pay(JUL, export=False)


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/payments/runs/",
        "/payments/exceptions/",
        "/payments/accounts/",
        "/payments/adjustments/",
        "/payments/stats/",
    ],
)
def test_every_list_page_opens_for_the_county_and_a_town_and_not_for_a_village_cadre(
    url, client, login_as, county_admin, officer_a, cadre_a
):
    assert login_as(county_admin).get(url).status_code == 200
    client.logout()
    assert login_as(officer_a).get(url).status_code == 200
    client.logout()
    assert login_as(cadre_a).get(url).status_code == 403


def test_a_town_officer_sees_runs_of_the_town_only(client, login_as, preparer, officer_a):
    enroll(region=VILLAGE_B)
    enroll()
    town_b = services.payroll_run_start(
        actor=preparer, programme="", month=JUL, region=region(TOWN_B)
    ).run
    town_a = services.payroll_run_start(
        actor=preparer, programme="", month=JUL, region=region("340521104")
    ).run
    c = login_as(officer_a)

    listing = c.get("/payments/runs/").content.decode()

    assert str(town_a.public_id) in listing
    assert str(town_b.public_id) not in listing
    assert c.get(f"/payments/runs/{town_a.public_id}/").status_code == 200
    assert c.get(f"/payments/runs/{town_b.public_id}/").status_code == 404


def test_a_town_officer_cannot_prepare_runs(client, login_as, officer_a):
    c = login_as(officer_a)
    assert c.get("/payments/runs/new/").status_code == 403
    resp = c.post(
        "/payments/runs/new/", {"programme": "", "month": "2024-07", "region": "340521104"}
    )
    assert resp.status_code == 403
    assert not PaymentRun.objects.exists()


def test_the_runs_list_costs_a_fixed_number_of_queries(
    client, login_as, preparer, django_assert_max_num_queries
):
    enroll()
    for m in (JUL, AUG):
        services.payroll_run_start(actor=preparer, programme="", month=m, region=region())
    c = login_as(preparer)
    with django_assert_max_num_queries(15):
        assert c.get("/payments/runs/?sort=-total").status_code == 200


# --- the journey through the pages -----------------------------------------------------------


def test_generating_from_the_page_twice_says_the_second_time_added_nothing(
    client, login_as, preparer
):
    enroll()
    c = login_as(preparer)
    data = {"programme": "", "month": "2024-07", "region": "340521"}

    first = c.post("/payments/runs/new/", data, follow=True)
    second = c.post("/payments/runs/new/", data, follow=True)

    assert "已发起" in first.content.decode()
    assert "本次未新增任何发放记录" in second.content.decode()
    assert PaymentRun.objects.count() == 1


def test_the_preparer_is_told_on_the_page_that_someone_else_approves(
    client, login_as, preparer, county_run
):
    services.payroll_run_review(actor=preparer, run=county_run)
    c = login_as(preparer)

    page = c.get(f"/payments/runs/{county_run.public_id}/").content.decode()
    assert "制单人不能审批本人生成的批次" in page
    resp = c.post(f"/payments/runs/{county_run.public_id}/approve/", follow=True)

    assert "审批人不能是本批次的制单人" in resp.content.decode()
    county_run.refresh_from_db()
    assert county_run.status == "reviewed"


def test_the_approver_sees_totals_by_town_and_the_changes_from_last_month(
    client, login_as, preparer, approver, county_run
):
    services.payroll_run_review(actor=preparer, run=county_run)
    c = login_as(approver)

    page = c.get(f"/payments/runs/{county_run.public_id}/").content.decode()

    assert "塘南镇" in page and "石桥镇" in page
    assert "800.00" in page  # 500.00 + 300.00
    assert 'data-testid="diff-new">2<' in page
    assert c.post(f"/payments/runs/{county_run.public_id}/approve/").status_code == 302
    county_run.refresh_from_db()
    assert county_run.status == "approved"


def test_the_bank_file_carries_full_numbers_and_its_export_is_audited(
    client, login_as, preparer, approver, county_run
):
    services.payroll_run_review(actor=preparer, run=county_run)
    services.payroll_run_approve(actor=approver, run=county_run)
    c = login_as(preparer)
    layout = __import__("minzheng.payments.models", fromlist=["BankLayout"]).BankLayout

    resp = c.post(
        f"/payments/runs/{county_run.public_id}/export/",
        {"layout": layout.objects.get(code="generic").pk, "fmt": "xlsx"},
    )

    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.content)).active.values)
    assert rows[0][:4] == ("业务流水号", "户名", "身份证号", "账号")
    line = PaymentLine.objects.filter(run=county_run).order_by("region_id", "id").first()
    first = rows[1]
    assert first[0] == line.ref
    assert first[2] == line.payee.id_number.reveal()
    assert first[3] == PayeeAccount.objects.get(person=line.payee_id).account_number.reveal()
    assert {r[5] for r in rows[1:]} == {"500.00", "300.00"}
    event = AuditEvent.objects.get(action="payments.bank_file")
    assert event.detail["rows"] == 2 and event.detail["revealed"] == ["id_number", "account_number"]
    county_run.refresh_from_db()
    assert county_run.status == "exported"


def test_a_return_file_uploaded_on_the_page_turns_failures_into_exceptions(
    client, login_as, pay, preparer
):
    enroll()
    enroll()
    run = pay(JUL)
    failed = PaymentLine.objects.filter(run=run).first()
    c = login_as(preparer)

    resp = c.post(
        f"/payments/runs/{run.public_id}/return/",
        {"file": SimpleUploadedFile("回盘.csv", return_csv(run, {failed.pk: "户名不符"}))},
        follow=True,
    )

    assert "到账 1 笔" in resp.content.decode()
    page = c.get("/payments/exceptions/?status=open").content.decode()
    assert "银行退回：户名不符" in page
    exc = PaymentException.objects.get()
    c.post(f"/payments/exceptions/{exc.public_id}/ready/", {"resolution": "已核对户名"})
    exc.refresh_from_db()
    assert exc.status == "ready"


def test_an_account_is_registered_by_id_number_and_shown_masked(client, login_as, preparer):
    e = enroll(account=False)
    c = login_as(preparer)

    c.post(
        "/payments/accounts/new/",
        {
            "id_number": _id_number(e.payee),
            "account_type": "social_security_card",
            "bank_name": "县农商银行",
            "account_number": "6217 0012 3456 7890 123",
            "holder_name": e.payee.name,
        },
    )

    acc = PayeeAccount.objects.get(person=e.payee)
    assert acc.account_number.reveal() == "6217001234567890123"
    page = c.get("/payments/accounts/").content.decode()
    assert "621700*********0123" in page
    assert "6217001234567890123" not in page


def test_the_runs_list_exports_as_a_spreadsheet(client, login_as, preparer, county_run):
    resp = login_as(preparer).get("/payments/runs/export/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.values)
    assert rows[1][:3] == ("2024-07", "全部项目", "当涂县")
    assert AuditEvent.objects.filter(action="payments.runs_export").exists()


def test_statistics_and_their_drill_down_come_from_the_ledger(client, login_as, pay, preparer):
    enroll(amount=50000)
    enroll(amount=30000, region=VILLAGE_B)
    pay(JUL)
    c = login_as(preparer)

    by_town = c.get("/payments/stats/?start=2024-07&end=2024-07&region=340521&by=town")
    town_b = c.get(
        "/payments/stats/entries/?start=2024-07&end=2024-07&region=340521&by=town"
        "&cell_region=340521103"
    )

    page = by_town.content.decode()
    assert "塘南镇" in page and "石桥镇" in page and 'data-testid="stats-total">800.00<' in page
    drill = town_b.content.decode()
    assert "300.00" in drill and "500.00" not in drill


def test_a_recovery_decision_is_recorded_from_the_page(client, login_as, pay, preparer):
    e = enroll(amount=50000)
    pay(JUL)
    c = login_as(preparer)

    resp = c.post(
        "/payments/adjustments/",
        {
            "form": "recovery",
            "id_number": _id_number(e.payee),
            "from_month": "2024-07",
            "basis": "death",
            "reason": "2024年6月死亡",
        },
        follow=True,
    )

    assert "追回 500.00 元" in resp.content.decode()
