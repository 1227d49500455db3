"""The work report in a real browser: pick a period and download the Word file."""

from __future__ import annotations

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from minzheng.core.models import AuditEvent
from tests.browser.test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_county_officer_picks_a_period_and_downloads_the_word_report(page: Page, county_admin):
    # given: the county administrator on the report page
    log_in(page, "county_admin")
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.goto("/reports/")

    # when: the first three quarters of 2023 are chosen and the figures recomputed
    page.locator("#id_from").fill("2023-01-01")
    page.locator("#id_to").fill("2023-09-30")
    page.get_by_test_id("report-params").get_by_role("button", name="统计").click()
    expect(page.get_by_test_id("fig-geo.villages")).to_be_visible()
    assert "from=2023-01-01" in page.url

    # and the Word file is downloaded
    with page.expect_download() as info:
        page.get_by_test_id("download-docx").click()
    download = info.value

    # then: a real .docx for that period, and the download is in the audit trail
    assert download.suggested_filename.endswith(".docx")
    doc = Document(str(download.path()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2023年1月1日至9月30日" in text  # the period picked, in the report's words
    assert "{{" not in text
    assert AuditEvent.objects.filter(action="report.export", actor_username="county_admin").exists()
