"""Shared fixtures. Tests that need PostgreSQL, Redis or Chromium skip with a reason on a
newcomer's machine; with BOJU_REQUIRE_SERVICES=1 (set by .ci/run) such a skip is a failure."""

import os

import pytest
from django.db import connection

from config.celery import app as celery_app

from .browser_support import _end_stray_postgres_sessions, browser, open_page, site  # noqa: F401  (fixtures)
from .liveserver import asgi_server_factory  # noqa: F401  (fixture)

STRICT = os.environ.get("BOJU_REQUIRE_SERVICES", "") not in ("", "0")
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, reason: str) -> None:
    """Skip (newcomer) or fail (CI) when a real service the test needs is missing."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"BOJU_REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def _strict_skip_is_failure(report, what: str) -> None:
    # require() fails by itself under BOJU_REQUIRE_SERVICES; this catches every other way a test
    # can skip (pytest.importorskip, a skip marker, a skip in a fixture) so that CI never passes
    # with a test quietly left out. Expected failures (xfail) are not skips and pass through.
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"BOJU_REQUIRE_SERVICES is set but {what} was skipped: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _strict_skip_is_failure(outcome.get_result(), "this test")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _strict_skip_is_failure(outcome.get_result(), "this module")


@pytest.fixture
def postgres(transactional_db):
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    return url


@pytest.fixture
def chromium():
    require(os.path.exists(CHROMIUM), f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(autouse=True)
def _isolated_state(settings):
    # Tasks run inline in tests unless a test starts a real worker; the cache (allauth's rate
    # limits) starts empty so tests do not throttle each other.
    celery_app.conf.task_always_eager = True
    # No test runs inside a worker, so joining an eager result is always allowed. A process forked
    # while an eager task ran (mutmut's runner does that) would otherwise inherit Celery's guard.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    # Content-type ids are cached per process. Tests that flush the tables (transactional_db)
    # give the types new ids, and a process forked before that (mutmut's runner) or a second
    # in-process run kept the old ones: every audit entry with a target then failed its foreign
    # key, and mutmut counted those failures as killed mutants.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    # The same for the language: a request through LocaleMiddleware leaves its language active
    # in the thread, and a later test (in mutmut's second in-process run) read English.
    from django.utils import translation

    translation.deactivate()
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    # Hashing with the real PBKDF2 costs ~0.3 s per user; the race tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
