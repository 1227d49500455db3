"""A town officer's registry journey in a real browser: find a person by pinyin initials,
open the household, edit an income inline, and see the change in the household's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login import log_in
from tests.registry.factories import HouseholdFactory, IncomeFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_town_officer_finds_by_initials_and_edits_an_income(page: Page, page_problems, officer_a):
    # given: 曾国强's household in 桃元村 (塘南镇) with a wage of 1,500.00 元 a month
    head = PersonFactory(name="曾国强")
    household = HouseholdFactory(head=head)
    IncomeFactory(household=household, person=head, monthly_amount_fen=150000)
    # and someone of another town who must not be found
    PersonFactory(name="曾国华", region_id="340521103201")

    # when: the officer searches "zgq" (曾 read as the surname zeng, not ceng)
    log_in(page, "officer_a")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("塘南镇")
    page.wait_for_load_state("networkidle")  # let the dashboard's chart script finish
    page.goto("/registry/search/")
    page.locator("#id_q").press_sequentially("zgq")  # live search on keyup (htmx)
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("曾国强")
    expect(results).not_to_contain_text("曾国华")

    # and opens the household and edits the income inline
    results.get_by_role("link", name="曾国强户").click()
    row = page.get_by_test_id("income-row").first
    expect(row).to_contain_text("1,500.00")
    row.get_by_role("link", name="编辑").click()
    form = page.get_by_test_id("income-row-form")
    form.locator("input[name=amount]").fill("1800")
    form.get_by_role("button", name="保存").click()

    # then: the row shows the new amount and the history shows old → new
    expect(page.get_by_test_id("income-row").first).to_contain_text("1,800.00")
    page.reload()
    history = page.get_by_test_id("history-table")
    expect(history).to_contain_text("1,500.00")
    expect(history).to_contain_text("1,800.00")
    expect(history).to_contain_text("officer_a")
    assert not page_problems, page_problems
