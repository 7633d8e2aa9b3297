import pytest
from ..factories import EventFactory, organizer, candidate, SessionFactory
from events.services import registration_create
from .conftest import ARTIFACTS
pytestmark = [pytest.mark.django_db(transaction=True)]

def test_adhoc(open_page, browser, site):
    from .test_phone_screens import _programme
    fair = _programme()
    org = organizer(manages_all=True)
    for _ in range(3):
        registration_create(event=fair, user=candidate())
    page = open_page(org, "/console/")
    page.screenshot(path=str(ARTIFACTS / "adhoc-console-phone.png"), full_page=True)
    page = open_page(org, f"/console/events/{fair.pk}/edit/")
    page.screenshot(path=str(ARTIFACTS / "adhoc-console-edit-phone.png"), full_page=True)
    page = open_page(candidate(), "/me/profile/")
    page.screenshot(path=str(ARTIFACTS / "adhoc-profile-phone.png"), full_page=True)
    page = open_page(None, "/accounts/login/")
    page.screenshot(path=str(ARTIFACTS / "adhoc-login-phone.png"), full_page=True)
    page = open_page(None, "/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "adhoc-home-desktop.png"), full_page=False)
    page = open_page(org, f"/events/{fair.pk}/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "adhoc-detail-desktop.png"), full_page=True)
