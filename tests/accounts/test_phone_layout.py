"""Accounts and sign-in pages on a phone (390x844) in headless Chromium: nothing wider than the
screen, the main button reachable. Screenshots land in test-artifacts/ for a person to look at."""

import pytest

from ..browser_support import ARTIFACTS
from ..factories import CompanyFactory, UserFactory, candidate, company_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(open_page):
    ARTIFACTS.mkdir(exist_ok=True)
    return open_page


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
