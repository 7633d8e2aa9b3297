"""The event page's seat count and waiting-list place change in a real browser without reload."""

import httpx
import pytest

from events.models import Registration
from events.services import registration_create

from .. import liveserver
from ..browser_support import wait_js, wait_live
from ..factories import EventFactory, RegistrationFactory, candidate
from ..liveserver import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _post_as(site, user, event, action):
    """Register or cancel the way a browser does: the page for the CSRF cookie, then the POST."""
    with httpx.Client(base_url=site.url, cookies=session_cookie_for(user)) as client:
        assert client.get(f"/events/{event.pk}/").status_code == 200
        response = client.post(
            f"/events/{event.pk}/{action}/", data={"csrfmiddlewaretoken": client.cookies["csrftoken"]}
        )
        assert response.status_code == 302, response.text


def _mark(page):
    """A flag that a reload would wipe: proves a change came without one."""
    page.evaluate("window.__notReloaded = true")


def _not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_seats_and_waitlist_place_update_live(open_page, site):
    event = EventFactory(capacity=2, title="人工智能博士后专场")
    RegistrationFactory(event=event, user=candidate(), status="confirmed")
    a, b, c = candidate(), candidate(), candidate()
    seats = "[data-seats-left]"

    page_a = open_page(a, f"/events/{event.pk}/")
    assert page_a.text_content(seats) == "1"
    wait_live(page_a)
    _mark(page_a)

    _post_as(site, b, event, "register")
    wait_js(page_a, "document.querySelector('[data-seats-left]').textContent === '0'", timeout=15_000)
    assert _not_reloaded(page_a)
    assert page_a.text_content("[data-register-button]").strip() == "加入候补"

    # C joins the waiting list by pressing the button on the page.
    page_c = open_page(c, f"/events/{event.pk}/")
    page_c.click("[data-register-button]")
    page_c.wait_for_selector("[data-my-state][data-status=waitlisted]")
    assert page_c.text_content(".messages").strip() == "名额已满，您已进入候补名单，当前第 1 位。"
    assert page_c.text_content("[data-my-state]").strip() == "您在候补名单中，当前第 1 位。"
    wait_live(page_c)
    _mark(page_c)
    wait_js(page_a, "document.querySelector('[data-waitlisted]').textContent === '1'", timeout=15_000)

    # B gives the seat back: C is promoted, and C's page says so without a reload.
    _post_as(site, b, event, "cancel")
    page_c.wait_for_selector("[data-my-state][data-status=confirmed]", timeout=15_000)
    assert page_c.text_content("[data-my-state]").strip() == "您已报名成功，名额已确认。"
    assert page_c.text_content("[data-cancel-button]").strip() == "取消报名"
    assert _not_reloaded(page_c)
    wait_js(page_a, "document.querySelector('[data-waitlisted]').textContent === '0'", timeout=15_000)
    assert page_a.text_content(seats) == "0" and _not_reloaded(page_a)
    assert Registration.objects.get(event=event, user=c).status == "confirmed"


def test_page_catches_up_after_the_server_restarts(open_page, site, asgi_server_factory, monkeypatch):
    """Pushes sent while the page had no connection are lost (at most once); the snapshot
    fetched on reconnect brings the page up to date anyway, without a reload."""
    event = EventFactory(capacity=5)
    page = open_page(candidate(), f"/events/{event.pk}/")
    wait_live(page)
    _mark(page)
    site.stop()  # a deploy: the socket really closes
    page.wait_for_selector("[data-live-dot].off", timeout=15_000)
    assert page.text_content("[data-live-dot]").strip() == "连接中断，正在重新连接…"
    # Seats taken meanwhile; their pushes go nowhere near this page.
    registration_create(event=event, user=candidate())
    registration_create(event=event, user=candidate())
    assert page.text_content("[data-seats-left]") == "5"
    monkeypatch.setattr(liveserver, "free_port", lambda: site.port)  # same address, new process
    asgi_server_factory()
    wait_js(page, "document.querySelector('[data-seats-left]').textContent === '3'", timeout=20_000)
    wait_live(page)
    assert page.text_content("[data-live-dot]").strip() == "实时更新中"
    assert _not_reloaded(page)


def test_registering_in_another_tab_updates_this_one(open_page, site):
    """The user's own topic: the page swaps its button for the registered state."""
    event = EventFactory(capacity=3)
    person = candidate()
    page = open_page(person, f"/events/{event.pk}/")
    wait_live(page)
    _post_as(site, person, event, "register")
    page.wait_for_selector("[data-my-state][data-status=confirmed]", timeout=15_000)
    assert page.text_content("[data-seats-left]") == "2"
