"""The pages: ticket (owner only), PNG download, scanner, pairing, dashboard, devices, lists, badges."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from checkin.models import CheckinList, ScannerDevice
from tests.factories import RegistrationFactory, SessionFactory, candidate, company_member, organizer, team_member

from .helpers import open_event, ticket_and_code

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_qr_name_and_event_to_its_owner_only(client):
    event = open_event()
    ticket, code = ticket_and_code(event)
    registration = ticket.registration
    client.force_login(registration.user)
    page = client.get(f"/checkin/tickets/{registration.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and event.title in html and registration.user.display_name in html
    png = client.get(f"/checkin/tickets/{registration.pk}/ticket.png")
    assert png["Content-Type"] == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [code]
    client.force_login(candidate())
    assert client.get(f"/checkin/tickets/{registration.pk}/").status_code == 404
    assert client.get(f"/checkin/tickets/{registration.pk}/ticket.png").status_code == 404


def test_my_events_links_the_ticket(client):
    registration = RegistrationFactory()
    client.force_login(registration.user)
    assert f"/checkin/tickets/{registration.pk}/" in client.get("/my/events/").content.decode()


def test_dashboard_for_scan_team_only(client):
    event = open_event()
    scanner_only = organizer()
    team_member(event, scanner_only, can_edit=False, can_scan=True)
    client.force_login(scanner_only)
    assert client.get(f"/console/events/{event.pk}/checkin/").status_code == 200
    snapshot = client.get(f"/console/events/{event.pk}/checkin/live.json").json()
    assert (snapshot["registered"], snapshot["checked_in"]) == (0, 0)
    assert client.get(f"/console/events/{event.pk}/checkin/devices/").status_code == 404  # editors only
    client.force_login(organizer())
    assert client.get(f"/console/events/{event.pk}/checkin/").status_code == 404
    assert client.get(f"/console/events/{event.pk}/checkin/live.json").status_code == 404
    for outsider in [candidate(), company_member()]:
        client.force_login(outsider)
        assert client.get(f"/console/events/{event.pk}/checkin/").status_code == 403


def test_device_added_shows_pairing_code_that_pairs_once(client):
    event = open_event()
    editor = organizer()
    team_member(event, editor)
    client.force_login(editor)
    html = client.post(f"/console/events/{event.pk}/checkin/devices/", {"name": "东门1号"}).content.decode()
    code = re.search(r"data-pairing-code>([A-Z0-9]+)<", html)[1]
    client.logout()
    paired = client.post("/api/checkin/pair", {"code": code}, content_type="application/json").json()
    assert paired["result"] == "ok" and paired["events"] == [{"id": event.pk, "title": event.title}]
    again = client.post("/api/checkin/pair", {"code": code}, content_type="application/json")
    assert (again.status_code, again.json()["result"]) == (400, "pairing_invalid")
    client.force_login(editor)
    device = ScannerDevice.objects.get()
    client.post(f"/console/events/{event.pk}/checkin/devices/{device.pk}/revoke/")
    device.refresh_from_db()
    assert device.revoked_at is not None
    whoami = client.get("/api/checkin/whoami", HTTP_AUTHORIZATION=f"Bearer {paired['token']}")
    assert whoami.status_code == 401


def test_lists_page_saves_session_list(client):
    event = open_event()
    session = SessionFactory(event=event)
    editor = organizer()
    team_member(event, editor)
    client.force_login(editor)
    assert client.get(f"/console/events/{event.pk}/checkin/lists/").status_code == 200
    client.post(
        f"/console/events/{event.pk}/checkin/lists/",
        {"session": session.pk, "opens_minutes_before": "15", "allow_reentry": "on"},
    )
    saved = CheckinList.objects.get(session=session)
    assert (saved.opens_minutes_before, saved.allow_reentry) == (15, True)
    client.post(f"/console/events/{event.pk}/checkin/lists/", {"opens_minutes_before": "-5"})
    assert not CheckinList.objects.filter(session__isnull=True, event=event).exists()


def test_badges_sheet_has_every_confirmed_registration(client):
    event = open_event()
    registrations = RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, status="cancelled")
    editor = organizer()
    team_member(event, editor)
    client.force_login(editor)
    html = client.get(f"/console/events/{event.pk}/checkin/badges/").content.decode()
    assert html.count('class="badge-card"') == 3
    for registration in registrations:
        assert registration.user.display_name in html


def test_scanner_and_pair_pages_render(client):
    scanner = client.get("/checkin/scan/").content.decode()
    # The scanner's script shows only what these attributes give it: its endpoints and its words.
    assert 'id="checkin-scanner"' in scanner and 'data-api-scan="/api/checkin/scan"' in scanner
    assert 'data-text-ok="签到成功"' in scanner and 'data-text-already_checked_in="已签到过"' in scanner
    pair = client.get("/checkin/pair/?code=ABC").content.decode()
    assert "<h1>配对扫码设备</h1>" in pair and 'data-api="/api/checkin/pair"' in pair


def test_public_inside_count(client):
    event = open_event()
    assert client.get(f"/checkin/events/{event.pk}/inside.json").json() == {"event": event.pk, "inside": 0}
    assert "data-checkin-inside" in client.get(f"/events/{event.pk}/").content.decode()
