"""Issue 17 at the door: when scanning opens, rehearsals, typed ticket numbers, session lists in
the offline bundle, the ticket's text and the personal-data export. The scan API tests here are
collected again against the fast lane (test_fastlane.py), so both ways in keep one rule."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.services import personal_data_export
from checkin.models import Checkin, CheckinList, Scan
from checkin.services import (
    checkin_list_default,
    checkin_list_save,
    checkin_rehearsal_end,
    checkin_rehearsal_start,
    scanning,
)
from checkin.services.scanning import NUMBER_LIMIT
from events.models import Event
from tests.factories import EventFactory, SessionFactory, organizer, team_member

from .helpers import nonce, open_event, paired_device, ticket_and_code

pytestmark = pytest.mark.django_db


def scan(client, token, body):
    return client.post(
        "/api/checkin/scan",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _future_event(hours=5):
    staff = organizer()
    event = EventFactory(
        starts_at=timezone.now() + timedelta(hours=hours), ends_at=timezone.now() + timedelta(hours=hours + 3)
    )
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    return event, staff, token


def test_door_not_open_says_when_scanning_opens(client):
    event, _staff, token = _future_event()
    _ticket, code = ticket_and_code(event)
    body = scan(client, token, {"code": code, "nonce": nonce()}).json()
    opens = event.starts_at - timedelta(minutes=120)
    assert body["result"] == "not_open"
    assert body["opens_at"] == opens.isoformat() and body["closes_at"] == event.ends_at.isoformat()
    local = timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")  # China time, as the door reads it
    assert local in body["message"] and "开始签到" in body["message"]


def test_door_not_open_after_the_end_says_it_closed(client):
    staff = organizer()
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1))
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    _ticket, code = ticket_and_code(event)
    body = scan(client, token, {"code": code, "nonce": nonce()}).json()
    assert body["result"] == "not_open" and "已结束" in body["message"]


def test_door_rehearsal_opens_scanning_now_and_its_end_removes_its_checkins(client):
    event, staff, token = _future_event(hours=24 * 9)  # like the demo's on-site events
    ticket, code = ticket_and_code(event)
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "not_open"
    checkin_rehearsal_start(checkin_list=checkin_list_default(event_id=event.pk), actor=staff)
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "ok"
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "already_checked_in"
    removed = checkin_rehearsal_end(checkin_list=checkin_list_default(event_id=event.pk), actor=staff)
    assert removed == 1 and not Checkin.objects.filter(ticket=ticket).exists()
    assert not Scan.objects.filter(event=event, ticket=ticket).exists()
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "not_open"
    assert set(AuditEntry.objects.filter(action__startswith="checkin.rehearsal").values_list("action", flat=True)) == {
        "checkin.rehearsal_start",
        "checkin.rehearsal_end",
    }


def test_door_rehearsal_that_ran_out_is_closed_again(client):
    event, staff, token = _future_event(hours=24 * 9)
    _ticket, code = ticket_and_code(event)
    checkin_list = checkin_list_default(event_id=event.pk)
    checkin_rehearsal_start(checkin_list=checkin_list, actor=staff, now=timezone.now() - timedelta(hours=5))
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "not_open"


def test_door_typed_ticket_number_checks_in_within_the_chosen_event(client):
    cache.clear()
    staff = organizer()
    event, other = open_event(), open_event()
    for e in (event, other):
        team_member(e, staff)
    _device, token = paired_device(staff, [event, other])
    ticket, _code = ticket_and_code(event)
    stranger, _ = ticket_and_code(other)
    first = scan(client, token, {"code": str(ticket.pk), "nonce": nonce(), "event": event.pk, "gate": "东门"})
    assert (first.status_code, first.json()["result"]) == (200, "ok")
    assert first.json()["name"] == ticket.registration.user.display_name
    assert Checkin.objects.get(ticket=ticket).gate == "东门"
    again = scan(client, token, {"code": f"#{ticket.pk}", "nonce": nonce(), "event": event.pk})
    assert again.json()["result"] == "already_checked_in"
    # Another event's ticket number, typed at this event's door, is no ticket here.
    wrong = scan(client, token, {"code": str(stranger.pk), "nonce": nonce(), "event": event.pk})
    assert wrong.json()["result"] == "invalid"
    assert not Checkin.objects.filter(ticket=stranger).exists()
    # Without an event chosen a number means nothing.
    assert scan(client, token, {"code": str(ticket.pk), "nonce": nonce()}).json()["result"] == "invalid"


def test_door_typed_ticket_number_outside_the_device_scope_is_refused(client):
    cache.clear()
    staff = organizer()
    event, elsewhere = open_event(), open_event()
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    ticket, _code = ticket_and_code(elsewhere)
    response = scan(client, token, {"code": str(ticket.pk), "nonce": nonce(), "event": elsewhere.pk})
    assert (response.status_code, response.json()["result"]) == (403, "forbidden")
    assert not Checkin.objects.exists()


def test_door_typed_ticket_numbers_are_rate_limited(client, monkeypatch):
    cache.clear()
    staff = organizer()
    event = open_event()
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    # The real limit (NUMBER_LIMIT, per minute) with an hour's window: a slow machine must not
    # cross a minute boundary half-way and start a fresh count.
    monkeypatch.setattr(scanning, "NUMBER_LIMIT", (NUMBER_LIMIT[0], 3600))
    limit = NUMBER_LIMIT[0]
    answers = [
        scan(client, token, {"code": str(900000 + i), "nonce": nonce(), "event": event.pk}) for i in range(limit + 2)
    ]
    assert [a.json()["result"] for a in answers[:limit]] == ["invalid"] * limit
    assert [(a.status_code, a.json()["result"]) for a in answers[limit:]] == [(429, "rate_limited")] * 2
    # Signed codes are not limited: the limit is for guessable numbers only.
    ticket, code = ticket_and_code(event)
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "ok"


def test_door_session_list_scan_and_offline_sync_of_a_typed_number(client):
    cache.clear()
    staff = organizer()
    event = open_event()
    team_member(event, staff)
    session = SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.ends_at)
    forum = checkin_list_save(event=event, actor=staff, session=session)
    _device, token = paired_device(staff, [event])
    ticket, code = ticket_and_code(event)
    other, _ = ticket_and_code(event)
    assert scan(client, token, {"code": code, "nonce": nonce(), "list": forum.pk}).json()["result"] == "ok"
    assert Checkin.objects.get(ticket=ticket).checkin_list_id == forum.pk
    bundle = client.get(f"/api/checkin/offline?event={event.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    lists = {lst["id"]: lst for lst in bundle["lists"]}
    assert lists[forum.pk]["session"] == session.pk and lists[forum.pk]["checked_in"] == [ticket.pk]
    assert bundle["checked_in"] == [] and bundle["window"]["closes"] == event.ends_at.isoformat()
    when = (timezone.now() - timedelta(minutes=1)).isoformat()
    synced = client.post(
        "/api/checkin/sync",
        data=json.dumps(
            {
                "scans": [
                    {"code": str(other.pk), "nonce": nonce(), "scanned_at": when, "event": event.pk, "list": forum.pk}
                ]
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert synced["scans"][0]["result"] == "ok"
    assert Checkin.objects.get(ticket=other).checkin_list_id == forum.pk and Checkin.objects.get(ticket=other).offline


def test_door_ticket_text_follows_the_window_and_online_events_have_no_door(client):
    staff = organizer()
    event = EventFactory(mode=Event.Mode.OFFLINE)
    ticket, _code = ticket_and_code(event)
    checkin_list_save(event=event, actor=staff, opens_minutes_before=45)
    client.force_login(ticket.registration.user)
    page = client.get(f"/checkin/tickets/{ticket.registration.pk}/").content.decode()
    opens = timezone.localtime(event.starts_at - timedelta(minutes=45)).strftime("%Y-%m-%d %H:%M")
    assert opens in page and "两小时" not in page and "入口出示" in page
    online = EventFactory(mode=Event.Mode.ONLINE)
    online_ticket, _ = ticket_and_code(online, user=ticket.registration.user)
    page = client.get(f"/checkin/tickets/{online_ticket.registration.pk}/").content.decode()
    assert "入口出示" not in page and "线上活动" in page


def test_door_personal_data_export_has_tickets_checkins_and_scans(client):
    staff = organizer()
    event = open_event()
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    ticket, code = ticket_and_code(event)
    scan(client, token, {"code": code, "nonce": nonce(), "gate": "北门"})
    scan(client, token, {"code": code, "nonce": nonce(), "gate": "南门"})
    data = personal_data_export(user=ticket.registration.user)
    assert data["tickets"] == [
        {"event": event.title, "ticket_number": ticket.pk, "issued_at": ticket.created_at.isoformat()}
    ]
    assert [(c["event"], c["gate"]) for c in data["checkins"]] == [(event.title, "北门")]
    assert [(s["result"], s["gate"], s["duplicate"]) for s in data["ticket_scans"]] == [
        ("ok", "北门", False),
        ("already_checked_in", "南门", True),
    ]
    assert "checkins" not in personal_data_export(user=staff)
    # The "my data" page shows the sections and their columns in words.
    client.force_login(ticket.registration.user)
    page = client.get("/me/data/").content.decode()
    assert all(words in page for words in ("电子票", "签到记录", "电子票扫码记录", "<th>入口</th>", "<td>北门</td>"))


def test_door_console_rehearsal_buttons(client):
    staff = organizer()
    event = EventFactory(
        starts_at=timezone.now() + timedelta(days=9), ends_at=timezone.now() + timedelta(days=9, hours=3)
    )
    team_member(event, staff, can_edit=True)
    client.force_login(staff)
    url = f"/console/events/{event.pk}/checkin/lists/"
    assert "立即开放签到（彩排）" in client.get(url).content.decode()
    assert client.post(url, {"rehearsal": "start"}).status_code == 302
    whole = CheckinList.objects.get(event=event, session__isnull=True)
    assert whole.rehearsal_until > timezone.now()
    assert "结束彩排" in client.get(url).content.decode()
    client.post(url, {"rehearsal": "end"})
    whole.refresh_from_db()
    assert whole.rehearsal_until is None


def test_door_dashboard_boxes_show_zero_before_the_first_scan(client):
    staff = organizer()
    event = open_event()
    team_member(event, staff, can_edit=True)
    client.force_login(staff)
    page = client.get(f"/console/events/{event.pk}/checkin/").content.decode()
    assert "data-checked-in>0<" in page and 'data-time-zone="Asia/Shanghai"' in page
