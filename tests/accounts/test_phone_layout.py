"""Accounts and sign-in pages on a phone (390x844) in headless Chromium: nothing wider than the
screen, the main button reachable. Screenshots land in test-artifacts/ for a person to look at."""

import pytest

from ..browser.conftest import _end_stray_postgres_sessions  # noqa: F401  (autouse fixture)
from ..factories import CompanyFactory, UserFactory, candidate, company_member
from ..liveserver import ROOT, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ARTIFACTS = ROOT / "test-artifacts"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(chromium, asgi_server_factory, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    from playwright.sync_api import sync_playwright

    site = asgi_server_factory()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])

        def open_(user, path):
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            if user is not None:
                context.add_cookies([{"name": k, "value": v, "url": site.url}
                                     for k, v in session_cookie_for(user).items()])
            page = context.new_page()
            page.goto(site.url + path)
            return page

        yield open_
        browser.close()


def test_accounts_pages_fit_a_phone(phone):
    person = candidate()
    company = CompanyFactory(name="青岛海洋装备研究院有限公司", status="pending")
    staff = company_member(company)
    pages = [
        ("login", None, "/accounts/login/"),
        ("signup", None, "/accounts/signup/"),
        ("password-reset", None, "/accounts/password/reset/"),
        ("profile-new", UserFactory(), "/me/profile/"),
        ("profile", person, "/me/profile/"),
        ("data", person, "/me/data/"),
        ("email", person, "/accounts/email/"),
        ("password-change", person, "/accounts/password/change/"),
        ("company-new", UserFactory(role="company"), "/me/company/new/"),
        ("company", staff, f"/me/company/{company.pk}/"),
    ]
    for name, user, path in pages:
        page = phone(user, path)
        page.screenshot(path=str(ARTIFACTS / f"accounts-{name}.png"), full_page=True)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), name
        button = page.locator("main form:not(.inline) button[type=submit]").first
        if name != "company":
            box = button.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
        page.context.close()


def test_signup_role_choice_by_tapping(phone):
    page = phone(None, "/accounts/signup/")
    page.get_by_label("用人单位工作人员").check()
    assert page.locator("input[name=role]:checked").get_attribute("value") == "company"
    page.context.close()
