"""A 低保 case in a real browser, from the village cadre's application to the county's
approval, with three different users; the approved case shows the enrollment and the month of
its first payment.

Dates are entered in the past (the household applied a month ago) so that the 7-day publicity
is over when the town officer sends the file to the county. With ``MINZHENG_SHOTS=DIR`` each
page is also saved as a screenshot.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.assistance.fixtures import county_officer, days_ago, dibao_household  # noqa: F401
from tests.browser.test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = os.environ.get("MINZHENG_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page: Page, username: str) -> None:
    """Log in and let the dashboard finish loading (its chart script) before moving on."""
    page.context.clear_cookies()
    log_in(page, username)
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    page.wait_for_load_state("networkidle")


def step(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id(f"step-{name}")


def test_dibao_case_from_application_to_county_approval(
    page: Page,
    page_problems,
    cadre_a,
    officer_a,
    county_officer,  # noqa: F811
    dibao_household,  # noqa: F811
):
    # --- the village cadre applies on the household's behalf -----------------------------
    sign_in(page, "cadre_a")
    page.goto("/assistance/new/")
    shot(page, "01-application-empty")
    page.get_by_test_id("household-search").fill("张三丰")
    page.get_by_test_id("choose-household").first.click()
    expect(page.get_by_test_id("household-panel")).to_contain_text("李四娘")
    page.locator("#id_programme").select_option("dibao")
    # the engine's live assessment, from the registry, while the form is being filled in
    expect(page.get_by_test_id("decision-amount")).to_have_text("1850.00 元/月")
    expect(page.get_by_test_id("decision-lines")).to_contain_text("计入家庭成员")
    page.locator("#id_submitted_on").fill(days_ago(30).isoformat())
    page.locator("#id_channel").select_option("village_cadre")
    page.locator("#id_commitment_signed_on").fill(days_ago(30).isoformat())
    page.locator("#id_authorisation_signed_on").fill(days_ago(30).isoformat())
    shot(page, "02-application-filled")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已提交")
    case_url = page.url
    assert re.search(r"/assistance/cases/[0-9a-f-]{36}/$", case_url)
    # the cadre may not accept it
    expect(step(page, "accept")).to_have_count(0)

    # --- the town officer accepts, investigates, reviews and publishes ---------------------
    sign_in(page, "officer_a")
    page.goto(case_url)
    step(page, "accept").locator("input[type=date]").fill(days_ago(29).isoformat())
    page.get_by_test_id("do-accept").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已受理")
    expect(page.get_by_test_id("notice-acceptance")).to_contain_text("受理通知书")
    expect(page.get_by_test_id("case-deadline")).to_contain_text("开始入户调查")

    step(page, "investigation_start").locator("input[type=date]").fill(days_ago(28).isoformat())
    page.get_by_test_id("do-investigation_start").click()
    expect(page.get_by_test_id("case-status")).to_have_text("入户调查中")

    form = step(page, "investigation")
    form.locator("#id_investigation-kind").select_option("home_visit")
    form.locator("#id_investigation-visited_on").fill(days_ago(27).isoformat())
    form.locator("#id_investigation-investigator_1").fill("赵调查")
    form.locator("#id_investigation-investigator_2").fill("钱调查")
    form.locator("#id_investigation-findings").fill("家中无贵重财产，户主打零工。")
    form.locator("#id_investigation-household_signed").check()
    page.get_by_test_id("do-investigation").click()
    expect(page.get_by_test_id("case-status")).to_have_text("乡镇初审")
    expect(page.get_by_test_id("investigation")).to_contain_text("赵调查、钱调查")

    form = step(page, "town_review")
    form.locator("#id_town_review-opinion").select_option("agree")
    form.locator("#id_town_review-text").fill("经调查，家庭人均收入低于低保标准。")
    form.locator("#id_town_review-reviewed_on").fill(days_ago(20).isoformat())
    form.locator("#id_town_review-publicity_from").fill(days_ago(20).isoformat())
    page.get_by_test_id("do-town_review").click()
    expect(page.get_by_test_id("case-status")).to_have_text("公示中")
    shot(page, "03-case-publicity")

    page.get_by_test_id("do-publicity_close").click()
    expect(page.get_by_test_id("case-status")).to_have_text("县级审核确认")
    # the town officer may not approve
    expect(step(page, "approve")).to_have_count(0)

    # --- the county officer approves ------------------------------------------------------
    sign_in(page, "county_officer")
    page.goto("/assistance/?step=county")
    expect(page.get_by_test_id("inbox-row")).to_have_count(1)
    shot(page, "04-inbox-county")
    page.get_by_role("link", name="张三丰").click()
    expect(page.get_by_test_id("case-assessment")).to_contain_text("1850.00 元/月")
    shot(page, "05-case-county")
    page.get_by_test_id("do-approve").click()

    expect(page.get_by_test_id("case-status")).to_have_text("已确认")
    from django.utils import timezone

    today = timezone.localdate()
    first = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    expect(page.get_by_test_id("first-payment-month")).to_have_text(
        f"{first.year}年{first.month}月"
    )
    expect(page.get_by_test_id("enrollment-amount")).to_contain_text("1,850.00元")
    expect(page.get_by_test_id("case-history")).to_contain_text("审核确认同意")
    shot(page, "06-case-approved")
    assert page_problems == []
