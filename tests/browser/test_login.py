"""Log-in journeys in a real browser: the login page, the dashboard, the forced password change,
the language switch, log-out, and the administrators' second factor.

Form fields are found by their ids, buttons by their place: the words change with the language.
"""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from tests.conftest import STRONG_PASSWORD, TOWN_A, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LOGIN_URL = re.compile(r"/accounts/login/(\?.*)?$")
HOME_URL = re.compile(r"://[^/]+/$")
BOOTSTRAP_DANGER_RED = "rgb(220, 53, 69)"


def log_in(page: Page, username: str, password: str = STRONG_PASSWORD, otp: str = "") -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    if otp:
        page.locator("#id_otp_token").fill(otp)
    page.locator("button[type=submit]").click()


def test_login_page_loads_bootstrap_and_htmx_from_the_app(page: Page, page_problems):
    # given / when
    page.goto("/accounts/login/")

    # then: the vendored front end came from our own static files, not from a CDN
    expect(page.locator("h1")).to_have_text("民政综合管理系统")
    submit = page.locator("button[type=submit]")
    assert submit.evaluate("b => getComputedStyle(b).backgroundColor") == BOOTSTRAP_DANGER_RED
    assert page.evaluate("typeof htmx") == "object"
    assert page_problems == []


def test_town_officer_logs_in_and_sees_the_town_dashboard(page: Page, page_problems, officer_a):
    from minzheng.geo.models import Region

    villages = Region.objects.filter(parent_id=TOWN_A, level=Region.Level.VILLAGE).count()
    communities = Region.objects.filter(parent_id=TOWN_A, level=Region.Level.COMMUNITY).count()

    # when
    log_in(page, "officer_a")

    # then
    expect(page).to_have_url(HOME_URL)
    expect(page).to_have_title("工作台 - 民政综合管理系统")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("工作台 · 塘南镇")
    expect(page.get_by_test_id("fig-towns")).to_have_text("1")
    expect(page.get_by_test_id("fig-villages")).to_have_text(str(villages))
    expect(page.get_by_test_id("fig-communities")).to_have_text(str(communities))
    expect(page.get_by_test_id("fig-staff")).to_have_text("1")
    # the chart: ECharts loaded, drew on a canvas of real size, with this town's data only
    canvas = page.locator("#chart-regions canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 200
    towns_on_axis = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-regions'))"
        ".getOption().xAxis[0].data"
    )
    assert towns_on_axis == ["塘南镇"]
    assert page_problems == []


def test_wrong_password_shows_the_generic_error_and_stays_on_the_login_page(page: Page, officer_a):
    # when
    log_in(page, "officer_a", password="Wrong#Password1")

    # then: the same words as for an unknown user or a wrong code, nothing more
    expect(page.get_by_role("alert")).to_have_text("用户名、密码或动态口令不正确")
    expect(page).to_have_url(LOGIN_URL)
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_first_login_forces_a_password_change_that_follows_the_rules(page: Page, make_user):
    # given: an account created with an initial password
    make_user("newcomer", "town_officer", TOWN_A, must_change_password=True)

    # when: the user logs in, they are held on the password page
    log_in(page, "newcomer")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.get_by_text("首次登录或密码被重置后，须先修改密码")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))

    # when: a weak password is offered, it is refused with the rule, in Chinese
    page.locator("#id_old_password").fill(STRONG_PASSWORD)
    page.locator("#id_new_password").fill("abcdefgh")
    page.locator("#id_new_password2").fill("abcdefgh")
    page.locator("main button[type=submit]").click()
    error = page.locator("#id_new_password ~ .invalid-feedback").first
    expect(error).to_contain_text("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))

    # when: a good one is offered, the user lands on the dashboard
    page.locator("#id_old_password").fill(STRONG_PASSWORD)
    page.locator("#id_new_password").fill("Harbour!Lantern7")
    page.locator("#id_new_password2").fill("Harbour!Lantern7")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_text("密码已修改")).to_be_visible()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("工作台 · 塘南镇")


def test_language_switch_turns_the_dashboard_to_english_and_back(page: Page, officer_a):
    # given
    log_in(page, "officer_a")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("工作台 · 塘南镇")

    # when: English is chosen in the top bar
    page.get_by_test_id("language").select_option("en")

    # then: the same page, in English (region names are data and stay as they are)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Dashboard · 塘南镇")
    expect(page.get_by_test_id("current-user")).to_have_text("officer_a (Town officer)")
    expect(page.locator("nav.mz-side")).to_contain_text("Home")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # the chart script runs after the page has painted: wait for the chart itself
    chart = "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-regions'))"
    page.wait_for_function(chart)
    legend = page.evaluate(f"({chart}).getOption().legend[0].data")
    assert legend == ["Villages", "Communities"]

    # when: back to Chinese
    page.get_by_test_id("language").select_option("zh-hans")

    # then
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("工作台 · 塘南镇")
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_language_chosen_on_the_login_page_applies_to_its_messages(page: Page, officer_a):
    page.goto("/accounts/login/")
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("h1")).to_have_text("Civil Affairs Management System")

    log_in(page, "officer_a", password="Wrong#Password1")

    expect(page.get_by_role("alert")).to_have_text("Incorrect user name, password or one-time code")


@pytest.mark.parametrize("browser_context_options", [{"locale": "en-US"}])
def test_a_browser_set_to_english_still_gets_chinese_until_the_user_switches(page: Page):
    page.goto("/accounts/login/")
    assert page.evaluate("navigator.language") == "en-US"

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("民政综合管理系统")


def test_logout_ends_the_session(page: Page, officer_a):
    # given
    log_in(page, "officer_a")
    expect(page).to_have_url(HOME_URL)

    # when
    page.get_by_role("button", name="退出").click()

    # then: the server-side session is gone; the dashboard needs a new log-in
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text("您已安全退出")).to_be_visible()
    page.go_back()  # to the dashboard's address: asked again, it sends to the log-in page
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_test_id("dashboard-title")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("#id_username")).to_be_visible()


def test_administrator_with_a_wrong_totp_code_is_refused(page: Page, admins):
    # given: the right password and a code that is not the current one
    sysadmin = admins["system_admin"]
    wrong = f"{(int(totp_now(sysadmin)) + 500_000) % 1_000_000:06d}"

    # when
    log_in(page, "sysadmin", otp=wrong)

    # then: the generic error, no session
    expect(page.get_by_role("alert")).to_have_text("用户名、密码或动态口令不正确")
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_administrator_without_a_totp_code_is_refused(page: Page, admins):
    log_in(page, "secadmin")

    expect(page.get_by_role("alert")).to_have_text("用户名、密码或动态口令不正确")
    expect(page).to_have_url(LOGIN_URL)


def test_administrator_with_password_and_totp_reaches_the_admin_landing_page(page: Page, admins):
    try:
        landing = reverse("sysadmin:users")
    except NoReverseMatch:
        pytest.skip("the system administrator's pages (sysadmin:users) are not in this branch")

    log_in(page, "sysadmin", otp=totp_now(admins["system_admin"]))

    expect(page).to_have_url(re.compile(re.escape(landing) + r"$"))
