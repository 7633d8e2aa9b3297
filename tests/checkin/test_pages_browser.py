"""Phone screenshots of the ticket, pairing and device pages, the public count, and the badge
sheet printed to PDF by Chromium (two badges per row, nothing cut)."""

import re

import pytest

from checkin.models import ScannerDevice
from checkin.services.setup import secret_hash
from tests.browser_support import ARTIFACTS, wait_live
from tests.factories import organizer, team_member

from .helpers import open_event, ticket_and_code


@pytest.fixture
def scene(transactional_db):
    event = open_event(title="2025青岛市博士后人才专场招聘会（秋季）")
    editor = organizer(name="王主办")
    team_member(event, editor)
    tickets = [ticket_and_code(event) for _ in range(3)]
    return event, editor, tickets


def test_ticket_pair_devices_badges_pages(scene, open_page, monkeypatch):
    event, editor, tickets = scene
    ticket, _code = tickets[0]
    page = open_page(ticket.registration.user, f"/checkin/tickets/{ticket.registration_id}/")
    assert page.locator(".ticket-qr svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "checkin-ticket.png"), full_page=True)

    devices = open_page(editor, f"/console/events/{event.pk}/checkin/devices/")
    devices.fill("#device-name", "东门 1 号机")
    devices.click("button[type=submit].btn-primary")
    code = devices.text_content("[data-pairing-code]").strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    devices.screenshot(path=str(ARTIFACTS / "checkin-devices.png"), full_page=True)

    phone = open_page(None, f"/checkin/pair/?code={code}")
    phone.screenshot(path=str(ARTIFACTS / "checkin-pair.png"))
    phone.click("[data-checkin-pair] button")
    phone.wait_for_url("**/checkin/scan/")
    phone.wait_for_selector(f"[data-event-select] option[value='{event.pk}']", state="attached")
    # The phone keeps the paired device's own token: the one whose hash the server stored.
    token = phone.evaluate("localStorage.getItem('boju.checkin.token')")
    assert token and ScannerDevice.objects.get(name="东门 1 号机").token_hash == secret_hash(token)

    public = open_page(None, f"/events/{event.pk}/")
    public.wait_for_selector("[data-checkin-inside]")
    wait_live(public)
    public.screenshot(path=str(ARTIFACTS / "checkin-event-inside.png"), full_page=True)

    badges = open_page(editor, f"/console/events/{event.pk}/checkin/badges/")
    assert badges.locator(".badge-card").count() == 3
    badges.emulate_media(media="print")
    badges.screenshot(path=str(ARTIFACTS / "checkin-badges-print.png"), full_page=True)
    pdf = badges.pdf(path=str(ARTIFACTS / "checkin-badges.pdf"), format="A4", print_background=True)
    assert pdf[:4] == b"%PDF"
