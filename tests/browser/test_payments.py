"""Payroll in a real browser: prepare and review a run, approve it as a second user, export
the bank's disbursement file, import its return file with two failures, and find them among
the exceptions."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import COUNTY, STRONG_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(STRONG_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))


def test_prepare_review_approve_export_and_reconcile_with_two_failures(
    page: Page, page_problems, make_user, tmp_path
):
    from tests.payments.factories import enroll
    from tests.registry.factories import VILLAGE_B

    # given: four payees on 低保 and 特困, a preparer and an approver
    make_user("preparer", "county_admin", COUNTY, full_name="王制单")
    make_user("approver", "county_admin", COUNTY, full_name="李审批")
    for amount, where, programme in (
        (62000, "340521104201", "dibao"),
        (56000, "340521104201", "dibao"),
        (78000, VILLAGE_B, "tekun"),
        (42000, VILLAGE_B, "dibao"),
    ):
        enroll(programme, amount=amount, region=where)

    # when: the preparer generates July for the county
    log_in(page, "preparer")
    page.get_by_role("link", name="发放批次").click()
    page.get_by_test_id("run-new").click()
    page.locator("#id_month").fill("2024-07")
    page.locator("#id_region").select_option(COUNTY)
    page.get_by_test_id("run-start").click()

    # then: the run page shows the lines and the totals, awaiting review
    expect(page.get_by_test_id("run-status")).to_have_text("待复核")
    expect(page.get_by_test_id("run-count")).to_have_text("4")
    expect(page.get_by_test_id("run-total")).to_have_text("2,380.00")
    expect(page.get_by_test_id("run-totals")).to_contain_text("塘南镇")
    expect(page.get_by_test_id("run-totals")).to_contain_text("石桥镇")
    run_url = page.url

    # when: they review it, they cannot approve their own run
    page.get_by_test_id("run-review").click()
    expect(page.get_by_test_id("run-status")).to_have_text("已复核")
    expect(page.get_by_test_id("run-approve")).to_have_count(0)
    expect(page.get_by_test_id("approve-hint")).to_contain_text("制单人不能审批")
    page.get_by_role("button", name="退出").click()

    # when: the approver checks the totals and the changes, and approves
    log_in(page, "approver")
    page.goto(run_url)
    expect(page.get_by_test_id("diff-new")).to_have_text("4")
    page.get_by_test_id("run-approve").click()
    expect(page.get_by_test_id("run-status")).to_have_text("已审批")

    # and exports the bank file (CSV)
    page.locator("#id_fmt").select_option("csv")
    with page.expect_download() as download_info:
        page.get_by_test_id("run-export").click()
    bank_file = tmp_path / "bank.csv"
    download_info.value.save_as(bank_file)
    rows = list(csv.DictReader(io.StringIO(bank_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4
    assert all(len(r["身份证号"]) == 18 and "*" not in r["账号"] for r in rows)
    page.reload()
    expect(page.get_by_test_id("run-status")).to_have_text("已导出")

    # when: the bank returns two lines as failed
    returned = tmp_path / "回盘.csv"
    with returned.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["业务流水号", "处理结果", "失败原因"])
        for i, r in enumerate(rows):
            failed = {0: "账户已销户", 3: "户名不符"}.get(i)
            w.writerow([r["业务流水号"], "失败" if failed else "成功", failed or ""])
    page.locator("#id_file").set_input_files(str(returned))
    page.get_by_test_id("run-import-return").click()

    # then: the run is reconciled and the two failures are exceptions to fix
    expect(page.locator(".alert-success")).to_contain_text("失败 2 笔")
    expect(page.get_by_test_id("run-status")).to_have_text("已对账")
    page.get_by_role("link", name="发放异常").click()
    rows_shown = page.get_by_test_id("exception-row")
    expect(rows_shown).to_have_count(2)
    expect(page.get_by_test_id("exception-table")).to_contain_text("银行退回：账户已销户")
    expect(page.get_by_test_id("exception-table")).to_contain_text("银行退回：户名不符")
    # a download ends its navigation as "aborted": that is not a broken page
    assert [p for p in page_problems if "/export/" not in p] == []
