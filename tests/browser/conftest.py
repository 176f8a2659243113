"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's ``live_server``.

Every test collected under ``tests/browser`` is marked ``browser`` (``make test-fast`` leaves them out with
``-m "not browser"``). Where ``/usr/bin/chromium`` is missing they are skipped with the reason, unless
``REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns a missing browser into a failure. When a test fails,
a screenshot of its page is saved to ``test-results/<test name>.png`` (gitignored).

Never run ``playwright install``: the tests launch the system Chromium through ``executable_path``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API leaves its asyncio event loop marked as running in the test's own thread between calls
# (it runs the loop in a greenlet of that thread). From the moment the browser starts, Django sees a running
# event loop there and refuses every ORM call the test, its fixtures and any later test of the same process
# make with SynchronousOnlyOperation. Nothing here is really asynchronous — the loop only turns while a
# Playwright call blocks — so the guard is switched off for the whole process. Django reads the variable at
# each call, so setting it when this conftest is imported suffices.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's Chromium; CHROMIUM_PATH points elsewhere (e.g. /usr/bin/chromium-browser on Ubuntu).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    """Skip (the browser is optional on a developer's machine) or fail (CI demands it)."""
    if _browser_required():
        pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Runs before the marker plugin deselects, so `-m "not browser"` sees the mark. The hook receives every
    # item of the session, not only this folder's: mark only ours.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the ``page`` fixture knows at teardown whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _start_playwright(sync_playwright):
    """Start Playwright, carrying the test database's serialized contents over to Django's new connections.

    The same running loop makes asgiref, which holds Django's connections, switch the thread from thread-local
    to context-local storage: after the start the thread gets fresh connection objects (to the same test
    database). The serialized copy of the migrated database, which ``serialized_rollback`` restores before
    each browser test, was kept on the old objects when the database was set up before the first browser
    test; without it the second browser test would find the flushed, empty database (no role groups).
    """
    from django.db import connections

    serialized = {
        conn.alias: conn._test_serialized_contents
        for conn in connections.all(initialized_only=True)
        if hasattr(conn, "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents
    return playwright


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not CHROMIUM.exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` and `fonts-noto-cjk` to run the "
            "browser tests (never `playwright install`)"
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright is not installed ({exc}); `pip install -e '.[dev]'`")

    playwright = _start_playwright(sync_playwright)
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        except PlaywrightError as exc:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(request, browser, live_server, django_db_serialized_rollback):
    """A fresh browser context (no cookies) and page per test, 1400×900, on the live server.

    ``live_server`` makes the test transactional: the database is flushed after it. Serialized rollback
    restores the migrations' data (the role groups) before the next browser test.
    """
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        pytest.fail("the test database's serialized contents are missing: the role groups would not be restored")
    # An English-speaking browser on purpose: the archive must answer in Chinese whatever the browser asks for.
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        out = Path(request.config.rootpath) / "test-results"
        out.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"could not save the failure screenshot: {exc}")
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    """Sign in through the real login form; fail at once, with the page's message, if the login is refused."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    if "/accounts/login/" in page.url:
        alert = page.locator(".alert")
        message = alert.first.inner_text() if alert.count() else "no message"
        raise AssertionError(f"login as {username!r} was refused: {message}")


def snapshot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot ``browser_<name>.png`` into ``$BROWSER_SCREENSHOTS`` when that is set.

    For looking at the pages by eye (``BROWSER_SCREENSHOTS=/tmp pytest tests/browser``); a no-op otherwise.
    Pages with a sticky bar (the card form's Save bar) read better as a viewport shot: in a full-page one the
    bar is drawn where the viewport's bottom was, over the fields.
    """
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"browser_{name}.png"), full_page=full_page)
