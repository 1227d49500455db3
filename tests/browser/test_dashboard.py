"""The county's dashboard in a real browser: this year's money by month and programme, drawn by
ECharts from the ledger, and the empty state of a period without payments."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_login import log_in
from tests.payments.factories import enroll, ledger_entry
from tests.registry.factories import VILLAGE_A, VILLAGE_B

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MONEY_SERIES = "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-money'))"


def test_county_admin_sees_this_years_money_by_programme(page: Page, page_problems, county_admin):
    # given: this month, 低保 in 塘南镇 and 特困 in 石桥镇 were paid
    month = timezone.localdate().replace(day=1)
    dibao = enroll("dibao", region=VILLAGE_A, start=month, account=False)
    tekun = enroll("tekun", region=VILLAGE_B, start=month, account=False)
    ledger_entry(dibao, month, 62000)
    ledger_entry(tekun, month, 115450)

    # when
    log_in(page, "county_admin")

    # then: the figure and the stacked chart, one series per programme
    expect(page.get_by_test_id("fig-disbursed")).to_have_text("1,774.50")
    page.wait_for_function(MONEY_SERIES)
    names = page.evaluate(f"({MONEY_SERIES}).getOption().series.map(s => s.name)")
    assert set(names) == {"最低生活保障", "特困人员救助供养"}
    assert page.locator("#chart-money canvas").count() == 1
    assert page_problems == []

    # when: last year is chosen, a period without payments
    page.locator("#id_period").select_option("last_year")
    page.get_by_test_id("period-form").get_by_role("button").click()

    # then
    expect(page.get_by_test_id("chart-money-empty")).to_have_text("本期间无数据")
    expect(page.get_by_test_id("fig-disbursed")).to_have_text("0.00")
