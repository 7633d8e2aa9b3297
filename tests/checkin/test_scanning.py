"""checkin_perform and the scan API: every answer, nonce replay, offline sync, devices, roles."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from checkin.errors import CheckinError
from checkin.models import Checkin, CheckinList, Scan
from checkin.services import (
    Scanner,
    checkin_list_save,
    checkin_perform,
    checkin_sync,
    device_create,
    device_pair,
    device_revoke,
)
from events.models import Registration
from tests.factories import EventFactory, SessionFactory, candidate, company_member, organizer, team_member

from .helpers import device_scanner, nonce, open_event, paired_device, ticket_and_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    event = open_event()
    staff = organizer()
    team_member(event, staff, can_edit=False, can_scan=True)
    device, token = paired_device(staff, [event])
    return event, staff, device, token


def scan(client, token, body, **extra):
    return client.post(
        "/api/checkin/scan",
        data=json.dumps(body) if not isinstance(body, (str, bytes)) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def test_scan_ok_then_already_checked_in_with_when_and_gate(client, setup):
    event, staff, device, token = setup
    ticket, code = ticket_and_code(event)
    first = scan(client, token, {"code": code, "gate": "东门", "nonce": nonce()})
    assert first.status_code == 200
    assert first.json()["result"] == "ok"
    assert first.json()["name"] == ticket.registration.user.display_name
    checkin = Checkin.objects.get(ticket=ticket)
    assert (checkin.gate, checkin.device_id, checkin.offline) == ("东门", device.pk, False)
    second = scan(client, token, {"code": code, "gate": "西门", "nonce": nonce()})
    assert second.status_code == 409
    body = second.json()
    assert (body["result"], body["gate"], body["duplicate"]) == ("already_checked_in", "东门", True)
    assert body["checked_in_at"] == checkin.scanned_at.isoformat()
    assert Checkin.objects.filter(ticket=ticket).count() == 1
    assert list(Scan.objects.filter(ticket=ticket).order_by("pk").values_list("result", "flagged")) == [
        ("ok", False),
        ("already_checked_in", True),
    ]
    assert AuditEntry.objects.filter(action="checkin.create", target_id=str(ticket.pk)).count() == 1


def test_scan_same_nonce_from_two_scanners_is_two_scans(client, setup):
    # Nonces are random per device, not per site: two scanners that happen to send the same nonce
    # are two different scans. Keyed by nonce alone, the second person would get the first
    # person's answer (and name) and never be checked in.
    event, staff, _device, token = setup
    _other_device, other_token = paired_device(staff, [event])
    first_ticket, first_code = ticket_and_code(event)
    second_ticket, second_code = ticket_and_code(event)
    shared = nonce()
    first = scan(client, token, {"code": first_code, "nonce": shared})
    second = scan(client, other_token, {"code": second_code, "nonce": shared})
    assert (first.json()["result"], second.json()["result"]) == ("ok", "ok")
    assert second.json()["name"] == second_ticket.registration.user.display_name
    assert set(Checkin.objects.values_list("ticket_id", flat=True)) == {first_ticket.pk, second_ticket.pk}


def test_scan_nonce_replay_records_nothing_new(client, setup):
    event, _staff, _device, token = setup
    _ticket, code = ticket_and_code(event)
    body = {"code": code, "gate": "A", "nonce": nonce()}
    first = scan(client, token, body)
    again = scan(client, token, body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["result"] == "ok" and again.json()["replayed"] is True
    assert Scan.objects.count() == 1 and Checkin.objects.count() == 1


def test_scan_rejects_forged_tampered_and_garbage_codes_without_queries(client, setup, django_assert_num_queries):
    event, _staff, _device, token = setup
    _ticket, code = ticket_and_code(event)
    scan(client, token, {"code": code, "nonce": nonce()})  # warms the key and device caches
    tampered = code[:-5] + ("AAAAA" if code[-5:] != "AAAAA" else "BBBBB")
    key_id = code.split(".")[1]
    for bad in [tampered, "garbage", code[:50], f"1.{key_id}.999999.{event.pk}." + "A" * 86]:
        with django_assert_num_queries(0):
            response = scan(client, token, {"code": bad, "nonce": nonce()})
        assert (response.status_code, response.json()["result"]) == (400, "invalid")
    assert Scan.objects.count() == 1


def test_scan_other_event_code_is_wrong_event(client, setup):
    _event, staff, _device, token = setup
    other = open_event()
    _ticket, code = ticket_and_code(other)
    response = scan(client, token, {"code": code, "nonce": nonce()})
    assert (response.status_code, response.json()["result"]) == (403, "wrong_event")
    assert Checkin.objects.count() == 0


def test_scan_cancelled_registration_is_cancelled(client, setup):
    event, _staff, _device, token = setup
    ticket, code = ticket_and_code(event)
    Registration.objects.filter(pk=ticket.registration_id).update(status="cancelled")
    response = scan(client, token, {"code": code, "nonce": nonce()})
    assert (response.status_code, response.json()["result"]) == (410, "cancelled")
    assert Checkin.objects.count() == 0


def test_scan_before_window_is_not_open(client):
    staff = organizer()
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=5))
    team_member(event, staff)
    _device, token = paired_device(staff, [event])
    _ticket, code = ticket_and_code(event)
    response = scan(client, token, {"code": code, "nonce": nonce()})
    assert (response.status_code, response.json()["result"]) == (403, "not_open")
    checkin_list_save(event=event, actor=staff, opens_minutes_before=6 * 60)
    assert scan(client, token, {"code": code, "nonce": nonce()}).json()["result"] == "ok"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        json.dumps({"code": 5, "nonce": "abcdefgh1"}),
        json.dumps({"code": "x"}),
        json.dumps({"code": "x", "nonce": "short"}),
        json.dumps({"code": "x", "nonce": "abcdefgh1", "gate": ["a"]}),
        json.dumps({"code": "x", "nonce": "abcdefgh1", "scanned_at": "yesterday"}),
        json.dumps({"code": "x", "nonce": "abcdefgh1", "list": "1"}),
        b"\xff\xfe",
    ],
)
def test_scan_wrong_shape_is_bad_request(client, setup, body):
    _event, _staff, _device, token = setup
    response = scan(client, token, body)
    assert (response.status_code, response.json()["result"]) == (400, "bad_request")


def test_scan_huge_body_is_413(client, setup):
    _event, _staff, _device, token = setup
    response = scan(client, token, json.dumps({"code": "x" * 100_000, "nonce": nonce()}))
    assert (response.status_code, response.json()["result"]) == (413, "too_large")


def test_scan_without_or_with_bad_token_is_401(client, setup):
    event, *_rest = setup
    _ticket, code = ticket_and_code(event)
    body = json.dumps({"code": code, "nonce": nonce()})
    assert client.post("/api/checkin/scan", body, content_type="application/json").status_code == 401
    response = scan(client, "nope", {"code": code, "nonce": nonce()})
    assert (response.status_code, response.json()["result"]) == (401, "unauthorized")
    assert client.get("/api/checkin/scan").status_code == 405


def test_device_revoked_cannot_scan(client, setup, django_capture_on_commit_callbacks):
    event, staff, device, token = setup
    _ticket, code = ticket_and_code(event)
    scan(client, token, {"code": "warm", "nonce": nonce()})  # token cached
    # The production path: the cached token goes after commit, so the very next scan is refused
    # (not up to a minute later when the cache entry would expire).
    with django_capture_on_commit_callbacks(execute=True):
        device_revoke(device=device, actor=staff)
    response = scan(client, token, {"code": code, "nonce": nonce()})
    assert (response.status_code, response.json()["result"]) == (401, "unauthorized")
    assert Checkin.objects.count() == 0


def test_device_pairing_code_works_once():
    event = open_event()
    staff = organizer()
    _device, code = device_create(actor=staff, name="手持机", events=[event])
    device_pair(code=code.lower())
    with pytest.raises(CheckinError) as caught:
        device_pair(code=code)
    assert caught.value.code == "pairing_invalid"


def test_session_user_candidate_and_company_cannot_scan(client):
    event = open_event()
    _ticket, code = ticket_and_code(event)
    for user in [candidate(), company_member(), organizer()]:  # the organizer is not on this event's team
        client.force_login(user)
        response = client.post(
            "/api/checkin/scan", json.dumps({"code": code, "nonce": nonce()}), content_type="application/json"
        )
        assert response.status_code in (403, 401)
        assert response.json()["result"] in ("forbidden", "wrong_event")
    assert Checkin.objects.count() == 0
    assert (
        checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=Scanner(user=candidate())).result
        == "wrong_event"
    )


def test_session_organizer_with_scan_permission_scans(client):
    event = open_event()
    staff = organizer()
    team_member(event, staff, can_edit=False, can_scan=True)
    _ticket, code = ticket_and_code(event)
    client.force_login(staff)
    response = client.post(
        "/api/checkin/scan", json.dumps({"code": code, "nonce": nonce()}), content_type="application/json"
    )
    assert response.json()["result"] == "ok"
    assert Checkin.objects.get().by_user == staff


def test_session_list_counts_separately_and_reentry(setup):
    event, _staff, device, _token = setup
    session = SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.ends_at)
    lst = checkin_list_save(event=event, actor=None, session=session, allow_reentry=True)
    ticket, code = ticket_and_code(event)
    scanner = device_scanner(device)
    assert checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=scanner).result == "ok"
    first = checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=scanner, list_id=lst.pk)
    again = checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=scanner, list_id=lst.pk)
    assert (first.result, again.result, again.reentry) == ("ok", "ok", True)
    assert (first.as_json().get("reentry"), again.as_json()["reentry"]) == (None, True)  # what the door shows
    # The scan log keeps "ok" for check-ins only: a re-entry is logged as such.
    assert list(Scan.objects.filter(checkin_list=lst).order_by("pk").values_list("result", flat=True)) == [
        "ok",
        "reentry",
    ]
    assert Checkin.objects.filter(ticket=ticket).count() == 2
    assert CheckinList.objects.filter(event=event).count() == 2


def test_offline_sync_from_two_devices_earliest_wins_with_flagged_duplicate(setup):
    event, staff, device_a, _token = setup
    device_b, _ = paired_device(staff, [event], name="入口2号机")
    ticket, code = ticket_and_code(event)
    now = timezone.now()
    # Device B uploads first, but device A scanned the same ticket two minutes earlier.
    b = checkin_sync(
        scans=[{"code": code, "gate": "西门", "nonce": nonce(), "scanned_at": now - timedelta(minutes=3)}],
        scanner=device_scanner(device_b),
    )
    a_nonce = nonce()
    a = checkin_sync(
        scans=[
            {"code": code, "gate": "东门", "nonce": a_nonce, "scanned_at": now - timedelta(minutes=5)},
            {"code": "garbage", "gate": "东门", "nonce": nonce(), "scanned_at": now},
        ],
        scanner=device_scanner(device_a),
    )
    assert [answer["result"] for answer in b] == ["ok"]
    assert [answer["result"] for answer in a] == ["ok", "invalid"]
    checkin = Checkin.objects.get(ticket=ticket)
    assert (checkin.gate, checkin.device_id, checkin.offline) == ("东门", device_a.pk, True)
    assert checkin.scanned_at == now - timedelta(minutes=5)
    scans = dict(Scan.objects.filter(ticket=ticket).values_list("gate", "flagged"))
    assert scans == {"东门": False, "西门": True}
    assert Scan.objects.get(gate="西门").result == "already_checked_in"
    # Uploading A's queue again (a retry after a lost answer) changes nothing.
    again = checkin_sync(
        scans=[{"code": code, "gate": "东门", "nonce": a_nonce, "scanned_at": now - timedelta(minutes=5)}],
        scanner=device_scanner(device_a),
    )
    assert again[0]["replayed"] is True
    assert Scan.objects.filter(ticket=ticket).count() == 2


def test_offline_sync_one_batch_applies_the_earliest_scan_first(setup):
    # A queue is uploaded in the order the phone stored it, which need not be the order the
    # scans happened: within one batch, the earliest scan of a ticket is the check-in.
    event, _staff, device, _token = setup
    ticket, code = ticket_and_code(event)
    now = timezone.now()
    later, earlier = nonce(), nonce()
    answers = checkin_sync(
        scans=[
            {"code": code, "gate": "西门", "nonce": later, "scanned_at": now - timedelta(minutes=1)},
            {"code": code, "gate": "东门", "nonce": earlier, "scanned_at": now - timedelta(minutes=9)},
        ],
        scanner=device_scanner(device),
    )
    assert [(a["nonce"], a["result"]) for a in answers] == [(later, "already_checked_in"), (earlier, "ok")]
    checkin = Checkin.objects.get(ticket=ticket)
    assert (checkin.gate, checkin.scanned_at) == ("东门", now - timedelta(minutes=9))


def test_offline_sync_scan_of_a_session_list_counts_on_that_list(setup):
    event, _staff, device, _token = setup
    session = SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.ends_at)
    session_list = checkin_list_save(event=event, actor=None, session=session)
    ticket, code = ticket_and_code(event)
    answers = checkin_sync(
        scans=[{"code": code, "gate": "", "nonce": nonce(), "scanned_at": timezone.now(), "list": session_list.pk}],
        scanner=device_scanner(device),
    )
    assert answers[0]["result"] == "ok"
    assert list(Checkin.objects.filter(ticket=ticket).values_list("checkin_list_id", flat=True)) == [session_list.pk]


def test_sync_api_shape_and_answers(client, setup):
    event, _staff, _device, token = setup
    _ticket, code = ticket_and_code(event)
    when = (timezone.now() - timedelta(minutes=1)).isoformat()
    body = {"scans": [{"code": code, "gate": "A", "nonce": nonce(), "scanned_at": when}] * 1}
    response = client.post(
        "/api/checkin/sync", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert [s["result"] for s in response.json()["scans"]] == ["ok"]
    bad = client.post(
        "/api/checkin/sync",
        json.dumps({"scans": [{"code": code}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (bad.status_code, bad.json()["result"]) == (400, "bad_request")


def test_offline_bundle_scoped_to_device_events(client, setup):
    event, _staff, _device, token = setup
    ticket, _code = ticket_and_code(event)
    cancelled, _ = ticket_and_code(event)
    Registration.objects.filter(pk=cancelled.registration_id).update(status="cancelled")
    response = client.get(f"/api/checkin/offline?event={event.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    data = response.json()
    assert data["revoked"] == [cancelled.pk]
    assert data["tickets"] == {str(ticket.pk): ticket.registration.user.display_name}
    assert len(data["keys"]) == 1 and len(data["keys"][0]["public_key"]) == 43
    other = EventFactory()
    refused = client.get(f"/api/checkin/offline?event={other.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (refused.status_code, refused.json()["result"]) == (403, "forbidden")


def test_session_scan_needs_csrf_token():
    from django.test import Client

    event = open_event()
    staff = organizer()
    team_member(event, staff, can_edit=False, can_scan=True)
    _ticket, code = ticket_and_code(event)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    body = json.dumps({"code": code, "nonce": nonce()})
    refused = client.post("/api/checkin/scan", body, content_type="application/json")
    assert (refused.status_code, refused.json()["result"]) == (403, "forbidden")
    client.get("/checkin/scan/")  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value
    accepted = client.post("/api/checkin/scan", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.json()["result"] == "ok"
    assert Checkin.objects.count() == 1


def test_scan_nonce_used_for_another_ticket_is_refused(client, setup):
    # Catches (issue 13): the replay answered "ok" with the first person's name for a code that
    # was never checked in. Runs against the fast lane too (test_fastlane.py).
    event, _staff, _device, token = setup
    first, first_code = ticket_and_code(event)
    second, second_code = ticket_and_code(event)
    used = nonce()
    assert scan(client, token, {"code": first_code, "nonce": used}).json()["result"] == "ok"
    other = scan(client, token, {"code": second_code, "nonce": used})
    assert other.status_code == 409
    assert (other.json()["result"], other.json()["name"]) == ("nonce_reused", "")
    assert not Checkin.objects.filter(ticket=second).exists()


def test_scan_nul_gate_or_nested_body_is_bad_request(client, setup):
    # Catches (issue 13): a NUL in the gate reached PostgreSQL; 4 KB of "[" raised RecursionError.
    event, _staff, _device, token = setup
    _ticket, code = ticket_and_code(event)
    nul = scan(client, token, {"code": code, "gate": "东\x00门", "nonce": nonce()})
    assert (nul.status_code, nul.json()["result"]) == (400, "bad_request")
    nested = scan(client, token, "[" * 2000 + "]" * 2000)
    assert (nested.status_code, nested.json()["result"]) == (400, "bad_request")
    assert not Checkin.objects.exists()
