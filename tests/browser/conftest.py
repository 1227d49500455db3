"""Browser tests: Debian's chromium, driven through Playwright's sync API, against live_server.

- One chromium per test session (per xdist worker); a fresh browser context (cookies, storage)
  per test.
- The live server runs on a transactional database. Rows loaded by data migrations (regions,
  role permissions) are restored before each test by serialized rollback.
- Without chromium the tests are skipped, and the skip reason says so. With
  ``MINZHENG_REQUIRE_BROWSER=1`` (CI) they fail instead.
- When a test fails, a screenshot and the page's HTML are saved under ``test-artifacts/``.

Mark every browser test with ``pytest.mark.browser`` and ``pytest.mark.xdist_group("browser")``
so that ``pytest -n 2 --dist loadgroup`` runs them all in one worker, against one chromium.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("MINZHENG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def _unavailable(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("MINZHENG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (MINZHENG_REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(f"{message} (install it: apt-get install -y chromium)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, started once per session."""
    if not CHROMIUM.exists():
        _unavailable(f"chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright package is missing ({exc})")
    from django.db import connections

    # Playwright's sync API leaves an asyncio loop running in this thread (the test code runs
    # in a greenlet beside it). Django would then refuse ORM calls from the test as
    # "async-unsafe", and, worse, look its connections up in per-context storage instead of
    # the thread's: the test would get fresh connection objects without the serialized
    # test data, and not the one the live server shares. So: allow the calls, and put the
    # thread's connection objects back in place once the loop runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in thread_connections.items():
        connections[alias] = connection
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as exc:
        playwright.stop()
        _unavailable(f"chromium at {CHROMIUM} did not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _browser_database(django_db_serialized_rollback: None, live_server: LiveServer) -> None:
    """Every browser test talks to the live server; data-migration rows come back each test."""


@pytest.fixture
def page_problems() -> list[str]:
    """What went wrong while loading pages: failed static files, script errors."""
    return []


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    """Override in a test module (or parametrize indirectly) to change locale, viewport …"""
    return {"locale": "zh-CN", "viewport": {"width": 1366, "height": 800}}


@pytest.fixture
def page(
    browser: Browser,
    live_server: LiveServer,
    page_problems: list[str],
    browser_context_options: dict[str, Any],
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A fresh browser context and page whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, **browser_context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def on_response(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            page_problems.append(f"HTTP {response.status} {response.url}")

    page.on("response", on_response)

    def on_request_failed(request: Request) -> None:
        # a request the page itself cancelled by navigating on (a test clicking away while a
        # large script still loads) is no problem; a missing file shows as an HTTP error above
        if request.failure != "net::ERR_ABORTED":
            page_problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda exc: page_problems.append(f"script error: {exc}"))
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if any(r.failed for r in reports.values()):
        _save_artifacts(page, request)
    context.close()


def _save_artifacts(page: Page, request: pytest.FixtureRequest) -> None:
    out = request.config.rootpath / "test-artifacts"
    out.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    try:
        page.screenshot(path=str(out / f"{stem}.png"), full_page=True)
        (out / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # an artifact must never hide the test's own failure
        (out / f"{stem}.error.txt").write_text(f"could not save the page: {exc!r}\n")
    else:
        print(f"\nbrowser artifacts: {out / stem}.png, .html")
