"""Real Chromium against a real ASGI server: the public progress page and the console dashboard
on a phone and on a desktop, charts drawn, live connection up; screenshots in test-artifacts/."""

from datetime import date

import pytest

from accounts.models import Company
from programme.counting import tallies_catch_up
from programme.services import outcome_report, outcome_review, targets_default
from tests.browser_support import ARTIFACTS, wait_live
from tests.factories import RegistrationFactory, SeriesFactory, candidate, organizer
from tests.liveserver import session_cookie_for

from .factories import checkin_raw, district_code, past_event, project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _programme():
    series = SeriesFactory()
    targets_default(series=series, actor=None)
    head = organizer(manages_all=True)
    provinces = ["shandong", "shandong", "beijing", "jiangsu", "shanghai", "abroad"]
    kinds = ["985", "211", "double_first", "institute", "985", "abroad"]
    for days, kind in ((95, "fair"), (60, "matchmaking"), (30, "training"), (8, "fair")):
        event = past_event(series, kind=kind, days_ago=days)
        for i in range(6 + days // 10):
            person = candidate(province=provinces[i % 6], university_type=kinds[(i + days) % 6])
            checkin_raw(RegistrationFactory(event=event, user=person))
    from datetime import timedelta

    from django.utils import timezone

    for i in range(5):
        project(
            series,
            company=Company.objects.create(
                name=f"青岛示例{i}",
                credit_code=district_code(["370212", "370211", "370202"][i % 3]),
                industry="ai",
                platform_kind="workstation",
                status="verified",
            ),
            signed_on=timezone.localdate() - timedelta(days=20 * i),
        )
    person = candidate()
    outcome = outcome_report(actor=person, series=series, kind="station_entry", happened_on=date.today())
    outcome_review(outcome=outcome, actor=head, approve=True)
    tallies_catch_up()
    return series, head


def _page(browser, site, user, path, viewport):
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if viewport == PHONE else 1,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    if user is not None:
        context.add_cookies([{"name": n, "value": v, "url": site.url} for n, v in session_cookie_for(user).items()])
    page = context.new_page()
    page.goto(site.url + path)
    return page


def _check(page, name):
    wait_live(page)
    page.wait_for_selector('[data-chart="trend"] svg')
    page.wait_for_selector('[data-chart="provinces"] svg')
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"programme-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name


def test_progress_page_and_dashboard_on_phone_and_desktop(browser, site):
    series, head = _programme()
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        public = _page(browser, site, None, f"/programme/{series.slug}/", viewport)
        _check(public, f"progress-{label}")
        assert public.text_content('[data-total="people"]') == "42"
        assert public.locator(".pg-bar").count() == 6
        console = _page(browser, site, head, f"/console/programme/{series.pk}/", viewport)
        _check(console, f"console-{label}")
        assert console.locator("h2", has_text="按区市").count() == 1
