"""Layouts that were defects of behaviour (issue 17), in Chromium against a real server.

- On a phone the header's 退出 sat 109 px off-screen (organizer; candidate in English) in a row
  that scrolled without showing it: now a 菜单 button opens the navigation, 退出 is on screen
  and works.
- On a 1366 px desktop the company-verification buttons sat 494 px out of view in their table:
  the actions column now stays in view.
"""

import pytest

from accounts.models import Company
from events.models import Registration

from .browser_support import ARTIFACTS, PHONE
from .factories import CompanyFactory, EventFactory, RegistrationFactory, candidate, company_member, organizer
from .liveserver import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def page_for(browser, site, user, path, *, language="zh-hans", viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    cookies = [{"name": "django_language", "value": language, "url": site.url}]
    if user is not None:
        cookies += [{"name": k, "value": v, "url": site.url} for k, v in session_cookie_for(user).items()]
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(site.url + path)
    return page


def on_screen(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width and page.is_visible(selector)


@pytest.mark.parametrize(
    ("who", "language", "logout"), [("organizer", "zh-hans", "退出"), ("candidate", "en", "Log out")]
)
def test_the_phone_menu_reaches_log_out(browser, site, who, language, logout):
    user = organizer(name="市人社局博士后管理办公室") if who == "organizer" else candidate(full_name="林晓")
    page = page_for(browser, site, user, "/", language=language)
    header = ".site-header"
    out = f".site-nav button:has-text('{logout}')"
    # Closed: the header is one line that fits; the menu button is on screen, the navigation folded.
    assert page.evaluate(f"document.querySelector('{header}').scrollWidth <= innerWidth")
    assert on_screen(page, ".nav-toggle") and page.get_attribute(".nav-toggle", "aria-expanded") == "false"
    assert not page.is_visible(out)
    page.click(".nav-toggle")
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    assert on_screen(page, out), "log out is on screen once the menu is open"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"header-menu-{who}-{language}.png"))
    page.keyboard.press("Escape")  # closes again, focus back on the button
    assert not page.is_visible(out) and page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.click(".nav-toggle")
    page.click(out)
    page.wait_for_load_state()
    assert page.is_visible(".nav-toggle")
    page.click(".nav-toggle")
    assert page.is_visible(".site-nav a[href='/accounts/login/']"), "logged out"
    page.context.close()


def test_without_javascript_the_navigation_stays_open(browser, site):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    context.add_cookies([{"name": k, "value": v, "url": site.url} for k, v in session_cookie_for(organizer()).items()])
    page = context.new_page()
    page.goto(site.url + "/")
    assert not page.is_visible(".nav-toggle")
    assert on_screen(page, ".site-nav button:has-text('退出')")
    context.close()


def test_desktop_tables_keep_their_actions_in_view(browser, site):
    head = organizer(manages_all=True)
    for n in range(3):
        company = CompanyFactory(
            name=f"青岛海洋装备与智能制造研究院有限公司{n}",
            status=Company.Status.PENDING,
            website=f"https://www.very-long-company-website-name-{n}.example.cn/about/us",
        )
        company_member(company)
    event = EventFactory(capacity=5)
    from .factories import team_member

    team_member(event, head)
    for _ in range(3):
        RegistrationFactory(
            event=event,
            user=candidate(institution="中国科学院海洋研究所（青岛）海洋生态与环境科学重点实验室"),
            status=Registration.Status.CONFIRMED,
        )
    desktop = {"width": 1366, "height": 900}
    for path, button in [
        ("/console/companies/", "通过认证"),
        (f"/console/events/{event.pk}/registrations/", "取消报名"),
    ]:
        page = page_for(browser, site, head, path, viewport=desktop)
        assert page.locator(f"table button:has-text('{button}')").count() == 3
        for index in range(3):
            box = page.locator(f"table button:has-text('{button}')").nth(index).bounding_box()
            wrap = page.locator(".table-wrap").bounding_box()
            assert box["x"] + box["width"] <= min(1366, wrap["x"] + wrap["width"]), (path, box, wrap)
        page.screenshot(path=str(ARTIFACTS / f"desktop{path.replace('/', '-')}.png"))
        page.context.close()
