"""Every page's own scripts run under the site's Content-Security-Policy (script-src 'self'):
the browser reports no refused script, style or connection on the pages people use most."""

import pytest

from tests.liveserver import session_cookie_for

from ..browser_support import PHONE
from ..factories import EventFactory, RegistrationFactory, candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_pages_run_without_csp_violations(browser, site):
    event = EventFactory(title="青岛蓝洽会博士后专区")
    person = candidate()
    RegistrationFactory(event=event, user=person)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_cookies(
        [{"name": name, "value": value, "url": site.url} for name, value in session_cookie_for(person).items()]
    )
    refused = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: refused.append((page.url, message.text)) if "Content Security Policy" in message.text else None,
    )
    try:
        for path in ("/", f"/events/{event.pk}/", "/inbox/", "/checkin/scan/", "/challenges/", "/programme/"):
            page.goto(site.url + path)
            page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert refused == []
