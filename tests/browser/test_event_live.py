"""The event page in a real browser: seats and the waiting-list place change live, no reload."""

import os
from pathlib import Path

import httpx
import pytest

from events.models import Registration
from events.services import registration_create

from ..factories import EventFactory, SessionFactory, candidate
from ..liveserver import session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


@pytest.fixture
def browser(chromium, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield instance
        instance.close()


def page_for(browser, server, user, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 390, "height": 844}, locale="zh-CN")
    cookie = session_cookie_for(user)
    context.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in cookie.items()])
    return context.new_page()


def post_form(server, user, path):
    with httpx.Client(base_url=server.url, cookies=session_cookie_for(user)) as client:
        client.get(path.rsplit("/", 2)[0] + "/")
        response = client.post(path, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
                               headers={"Referer": server.url + "/"})
        assert response.status_code == 302


def test_seats_and_waitlist_place_change_live(browser, asgi_server_factory):
    event = EventFactory(capacity=2, title="“蓝洽会”博士后人才招聘专区")
    SessionFactory(event=event, title="企业宣讲")
    registration_create(event=event, user=candidate())
    server = asgi_server_factory()
    watcher = candidate()
    page = page_for(browser, server, watcher)
    page.goto(f"{server.url}/events/{event.pk}/")
    page.wait_for_selector("[data-live-dot].on")
    assert page.inner_text("[data-seats-left]") == "1"

    taker = candidate()
    post_form(server, taker, f"/events/{event.pk}/register/")
    page.wait_for_function("document.querySelector('[data-seats-left]').textContent === '0'", timeout=5000)

    # A waitlisted person's page moves from place 1 to a confirmed seat when someone cancels.
    waiting = candidate()
    registration_create(event=event, user=waiting)
    waiting_page = page_for(browser, server, waiting)
    waiting_page.goto(f"{server.url}/events/{event.pk}/")
    waiting_page.wait_for_selector("[data-live-dot].on")
    assert "当前第 1 位" in waiting_page.inner_text("[data-my-state]")
    ARTIFACTS.mkdir(exist_ok=True)
    waiting_page.screenshot(path=str(ARTIFACTS / "event-waitlisted-phone.png"), full_page=True)
    post_form(server, taker, f"/events/{event.pk}/cancel/")
    waiting_page.wait_for_function(
        "document.querySelector('[data-my-state]').dataset.status === 'confirmed'", timeout=5000)
    assert waiting_page.inner_text("[data-my-state]") == "您已报名成功，名额已确认。"
    page.wait_for_function("document.querySelector('[data-seats-left]').textContent === '0'", timeout=5000)
    assert Registration.objects.get(event=event, user=waiting).status == "confirmed"


def test_phone_screenshots_of_main_pages(browser, asgi_server_factory):
    from django.core.management import call_command
    import io

    call_command("load_demo", stdout=io.StringIO())
    from accounts.models import User
    from events.models import Event

    server = asgi_server_factory()
    person = User.objects.get(email="candidate2@boju.local")
    page = page_for(browser, server, person)
    ARTIFACTS.mkdir(exist_ok=True)
    event = Event.objects.filter(sessions__isnull=False).first()
    for name, path in [("home", "/"), ("event", f"/events/{event.pk}/"), ("my-events", "/my/events/"),
                       ("profile", "/me/profile/")]:
        response = page.goto(server.url + path)
        assert response.status == 200, path
        # Nothing wider than the phone: no sideways scrolling on any page.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    assert os.path.getsize(ARTIFACTS / "home-phone.png") > 10_000
