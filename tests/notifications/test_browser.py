"""In a real browser: an organizer's announcement appears on a candidate's open event page as a
banner and raises the header's unread count, without a reload. Phone screenshots of every page."""

import pytest

from ..browser_support import ARTIFACTS, wait_js, wait_live
from ..factories import EventFactory, RegistrationFactory, candidate, organizer, team_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notifications-{name}.png"), full_page=True)
    # No sideways scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name


def test_announcement_reaches_open_event_page_live(open_page):
    event = EventFactory(title="人工智能博士后专场招聘会", capacity=5)
    reader = candidate(full_name="林晓")
    RegistrationFactory(event=event, user=reader, status="confirmed")
    boss = organizer()
    team_member(event, boss)

    page = open_page(reader, f"/events/{event.pk}/")
    wait_live(page)
    wait_js(page, "document.getElementById('inbox-link').dataset.unread === '0'", timeout=15_000)
    assert page.is_hidden("[data-unread-count]") and page.is_hidden("#announcements")
    page.evaluate("window.__notReloaded = true")

    console = open_page(boss, f"/console/events/{event.pk}/announcements/")
    console.fill("#announcement-body", "下午的企业宣讲改到B馆三楼，签到入口不变。")
    console.check("input[name=segment][value=registered]")
    console.click("[data-send-announcement]")
    console.wait_for_selector(".message.success")
    assert console.text_content(".message.success").strip() == "公告已发送给 1 人。"
    assert console.text_content("[data-reach]").strip() == "1"
    shot(console, "announcements-console")

    page.wait_for_selector("#announcements .announcement.is-new", timeout=15_000)
    assert page.text_content("#announcements .announcement-body") == "下午的企业宣讲改到B馆三楼，签到入口不变。"
    wait_js(page, "document.querySelector('[data-unread-count]').textContent === '1'", timeout=15_000)
    # On a phone the 消息 link is behind the menu button, which shows the count as well.
    assert page.is_visible(".nav-toggle [data-unread-mirror]")
    assert page.text_content(".nav-toggle [data-unread-mirror]") == "1"
    page.click(".nav-toggle")
    assert page.is_visible("[data-unread-count]")
    page.click(".nav-toggle")
    assert page.evaluate("window.__notReloaded === true")
    # Still one WebSocket on the page: the inbox rode along on the event page's own connection.
    shot(page, "event-banner")

    inbox = open_page(reader, "/inbox/")
    assert "主办方公告：人工智能博士后专场招聘会" in inbox.text_content(".inbox-list")
    shot(inbox, "inbox")
    inbox.click("text=全部标为已读")
    inbox.wait_for_selector(".message.success")
    # The event page hears that everything was read, still without a reload.
    wait_js(page, "document.querySelector('[data-unread-count]').hidden === true", timeout=15_000)
    assert page.evaluate("window.__notReloaded === true")


def test_phone_screens_of_preferences_and_calendar(open_page):
    person = candidate()
    prefs = open_page(person, "/me/notifications/preferences/")
    assert prefs.is_visible("text=进入候补名单")
    shot(prefs, "preferences")
    calendar = open_page(person, "/me/calendar/")
    calendar.click("text=生成我的订阅链接")
    calendar.wait_for_selector("[data-webcal]")
    assert calendar.get_attribute("[data-webcal]", "href").startswith("webcal://127.0.0.1:")
    shot(calendar, "calendar")


def test_inbox_page_shows_a_new_message_without_reload(open_page, site):
    import httpx

    from ..liveserver import session_cookie_for

    person = candidate()
    event = EventFactory(title="海洋论坛", capacity=3)
    inbox = open_page(person, "/inbox/")
    wait_js(inbox, "document.getElementById('inbox-link').dataset.unread === '0'", timeout=15_000)
    inbox.evaluate("window.__notReloaded = true")
    # Registering in another tab (through the server, which sends the confirmation).
    with httpx.Client(base_url=site.url, cookies=session_cookie_for(person)) as client:
        assert client.get(f"/events/{event.pk}/").status_code == 200
        response = client.post(
            f"/events/{event.pk}/register/", data={"csrfmiddlewaretoken": client.cookies["csrftoken"]}
        )
        assert response.status_code == 302
    inbox.wait_for_selector(".inbox-item.is-new", timeout=15_000)
    assert inbox.text_content(".inbox-item.is-new .inbox-item-title") == "报名成功：海洋论坛"
    assert inbox.text_content("[data-unread-count]") == "1"
    assert inbox.evaluate("window.__notReloaded === true")
