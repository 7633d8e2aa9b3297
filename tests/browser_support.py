"""Chromium, a real ASGI server and phone-sized, logged-in browser pages for the page tests.

Shared by every browser test (tests/conftest.py exposes the fixtures)."""

import pytest

from .liveserver import ROOT, session_cookie_for

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def _end_stray_postgres_sessions(django_db_setup, django_db_blocker):
    """At the end of the run, end sessions still open on the PostgreSQL test database.

    A connection opened by a test's ORM calls can outlive the test (Django keys connections by
    context and these tests juggle event loops), and PostgreSQL then refuses to drop the test
    database. Torn down just before django_db_setup, which drops it.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture
def site(asgi_server_factory):
    """A real uvicorn process on the test database (WhiteNoise serves static/ via its finders)."""
    return asgi_server_factory()


@pytest.fixture
def browser(chromium, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async guard is switched off for these tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site):
    """open_page(user, path) -> a phone-sized page, logged in as `user` (None: anonymous)."""
    contexts = []

    def open_(user, path: str):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        contexts.append(context)
        if user is not None:
            context.add_cookies(
                [{"name": name, "value": value, "url": site.url} for name, value in session_cookie_for(user).items()]
            )
        page = context.new_page()
        page.goto(site.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_live(page, timeout=15_000):
    """Until the page's live indicator says it is connected."""
    page.wait_for_selector("[data-live-dot].on", timeout=timeout)


def wait_js(page, expression: str, *, timeout: float = 30_000, interval: float = 0.1) -> None:
    """Wait until the JavaScript `expression` is true in `page`.

    Playwright's wait_for_function compiles its predicate with eval inside the page, which the
    site's Content-Security-Policy (script-src 'self', no 'unsafe-eval') rightly refuses. This
    polls with page.evaluate, which the browser runs through the DevTools protocol, outside CSP.
    """
    import time as _time

    deadline = _time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(f"() => Boolean({expression})"):
            return
        if _time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for: {expression}")
        page.wait_for_timeout(interval * 1000)
