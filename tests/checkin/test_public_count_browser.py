"""The public event page's "people inside" count rises without a reload when someone checks in:
real Chromium on a real ASGI server, the number carried by the page's own WebSocket.

Two ways in: a scan at the door through the scan API of the same server (any database: the
Django path on SQLite, the fast lane on PostgreSQL), and a check-in written by another process
(this test's) that reaches the page only through Redis."""

import json
import os
import threading

import httpx
import pytest
from django.db import connection

from checkin.services import checkin_perform
from tests.browser_support import ARTIFACTS, wait_js, wait_live
from tests.factories import organizer, team_member

from .helpers import device_scanner, nonce, open_event, paired_device, ticket_and_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

COUNT = "[data-checkin-inside] [data-inside-count]"


@pytest.fixture
def scene(transactional_db):
    event = open_event(title="2025青岛市博士后人才专场招聘会（秋季）")
    editor = organizer(name="王主办")
    team_member(event, editor)
    device, token = paired_device(editor, [event])
    tickets = [ticket_and_code(event) for _ in range(2)]
    return event, device, token, tickets


class PublicPage:
    """The anonymous public event page, with what came over its WebSocket and every re-read of
    the count over HTTP (so a test can tell a push from a re-sync)."""

    def __init__(self, browser, site, event):
        self.event = event
        self.context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.page = self.context.new_page()
        self.frames: list[dict] = []
        self.rereads: list[str] = []
        self.errors: list[str] = []
        self.page.on("websocket", self._socket)
        self.page.on("request", lambda request: "/inside.json" in request.url and self.rereads.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(f"{site.url}/events/{event.pk}/")

    def _socket(self, socket):
        def received(frame):
            try:
                self.frames.append(json.loads(frame))
            except (TypeError, ValueError):
                pass

        socket.on("framereceived", received)

    def count(self) -> str:
        return self.page.text_content(COUNT).strip()

    def settled(self) -> None:
        """Connected, and the re-read that follows the first snapshot has been answered."""
        wait_live(self.page)
        wait_js(
            self.page,
            "performance.getEntriesByType('resource').some(e => e.name.includes('/inside.json') && e.responseEnd > 0)",
            timeout=10_000,
        )
        self.page.evaluate("window.__notReloaded = true")

    def wait_for_count(self, expected: int) -> None:
        wait_js(self.page, f"document.querySelector({COUNT!r}).textContent.trim() === '{expected}'", timeout=10_000)

    def pushes(self) -> list[dict]:
        return [
            f["payload"]
            for f in self.frames
            if isinstance(f.get("payload"), dict) and f["payload"].get("type") == "checkin.inside"
        ]


def test_a_scan_at_the_door_raises_the_count_on_the_open_page(scene, browser, asgi_server_factory):
    event, _device, token, tickets = scene
    site = asgi_server_factory(redis_url=os.environ.get("REDIS_URL", ""))  # as in production when given
    public = PublicPage(browser, site, event)
    assert public.page.text_content("[data-checkin-inside] .seat-label").strip() == "现场人数"
    assert public.count() == "0"
    public.settled()
    rereads_before = len(public.rereads)

    (_ticket, code) = tickets[0]
    response = httpx.post(
        f"{site.url}/api/checkin/scan",
        headers={"Authorization": f"Bearer {token}"},
        json={"code": code, "gate": "东门", "nonce": nonce()},
        timeout=10,
    )
    assert (response.status_code, response.json()["result"]) == (200, "ok")

    public.wait_for_count(1)
    assert public.page.evaluate("window.__notReloaded === true")
    # It came over the WebSocket: the push is there, and the page did not re-read the count.
    assert {"type": "checkin.inside", "event": event.pk, "inside": 1} in public.pushes()
    assert len(public.rereads) == rereads_before
    ARTIFACTS.mkdir(exist_ok=True)
    public.page.screenshot(path=str(ARTIFACTS / "checkin-public-count-live.png"), full_page=True)

    # The same ticket again is a duplicate: nobody new is inside, the number stays.
    again = httpx.post(
        f"{site.url}/api/checkin/scan",
        headers={"Authorization": f"Bearer {token}"},
        json={"code": code, "gate": "东门", "nonce": nonce()},
        timeout=10,
    )
    assert again.json()["result"] == "already_checked_in"
    public.page.wait_for_timeout(1200)
    assert public.count() == "1"
    assert public.errors == []
    public.context.close()


def test_a_checkin_in_another_process_reaches_the_page_through_redis(scene, browser, redis_url, asgi_server_factory):
    event, device, _token, tickets = scene
    site = asgi_server_factory(redis_url=redis_url)
    public = PublicPage(browser, site, event)
    assert public.count() == "0"
    public.settled()
    rereads_before = len(public.rereads)

    outcomes = []

    def check_in(code):
        # Its own thread: a plain synchronous caller (as a worker or the shell would be), not the
        # thread where Playwright runs its event loop. Its own database connection, closed after.
        try:
            outcomes.append(
                checkin_perform(
                    code=code, gate="北门", nonce=nonce(), scanned_at=None, scanner=device_scanner(device)
                ).result
            )
        finally:
            connection.close()

    thread = threading.Thread(target=check_in, args=(tickets[1][1],))
    thread.start()
    thread.join(20)
    assert outcomes == ["ok"]

    public.wait_for_count(1)
    assert public.page.evaluate("window.__notReloaded === true")
    assert {"type": "checkin.inside", "event": event.pk, "inside": 1} in public.pushes()
    assert len(public.rereads) == rereads_before
    assert public.errors == []
    public.context.close()
