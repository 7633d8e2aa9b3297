"""The door's rules found missing by the mutation run (docs/mutation.md, the third run): the
not-open message, typed ticket numbers, replays, offline refusals, audits and the edges of the
window. Split from test_scanning.py, whose `setup` fixture and `scan` helper they use."""

import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import AuditEntry
from checkin.errors import CheckinError
from checkin.models import Checkin, Scan
from checkin.services import (
    checkin_list_default,
    checkin_list_save,
    checkin_perform,
    checkin_rehearsal_start,
    checkin_sync,
    scanning,
)
from checkin.services.scanning import NUMBER_LIMIT, ScanDecision, not_open_details, scan_decide, ticket_number_resolve
from tests.factories import EventFactory, SessionFactory, organizer, team_member

from .helpers import device_scanner, nonce, open_event, paired_device, ticket_and_code
from .test_scanning import scan, setup  # noqa: F401  (fixture and helper shared)

pytestmark = pytest.mark.django_db


def test_not_open_details_say_when_scanning_opens_or_that_it_closed_in_china_time():
    # What the person at the door reads instead of a bare "not open". The window's end belongs
    # to the window (scan_decide lets a scan at exactly `closes` in), so only after it is it over.
    opens = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    closes = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)  # 18:05 in Shanghai
    window = {"opens_at": "2026-12-01T01:30:00+00:00", "closes_at": "2026-12-01T10:05:00+00:00"}
    with translation.override("zh-hans"):
        before = not_open_details(opens, closes, now=opens - timedelta(hours=3))
        at_the_end = not_open_details(opens, closes, now=closes)
        after = not_open_details(opens, closes, now=closes + timedelta(seconds=1))
    assert before == at_the_end == {**window, "message": "签到未开放，2026-12-01 09:30 开始签到"}
    assert after == {**window, "message": "签到已结束（2026-12-01 18:05 结束）"}


def test_typed_numbers_count_to_the_end_of_their_minute_then_start_again(setup, settings, monkeypatch):
    # The count of typed numbers must outlive its minute, even when the first number came in the
    # minute's first second; once the minute is over the scanner may type again. The cache's own
    # clock is the test's clock (the in-memory cache, whatever the run's REDIS_URL).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    event, staff, device, _token = setup
    scanner = device_scanner(device)
    clock = [60 * 29_500_000 + 1.0]  # one second into a minute
    monkeypatch.setattr(time, "time", lambda: clock[0])
    limit, window = NUMBER_LIMIT

    def typed(number, by=scanner):
        try:
            return ticket_number_resolve(number=str(number), event_id=event.pk, list_id=None, scanner=by)
        except CheckinError as error:
            return error.code

    assert [typed(900_000 + i) for i in range(limit)] == ["invalid"] * limit
    clock[0] += window - 3  # the same minute, 2 s before its end
    assert typed(900_100) == "rate_limited"
    # The count is the scanner's own: another phone at the door may still type.
    assert typed(900_101, by=device_scanner(paired_device(staff, [event], name="入口2号机")[0])) == "invalid"
    clock[0] += 3  # the next minute
    ticket, code = ticket_and_code(event)
    assert typed(ticket.pk) == code


def test_typed_numbers_still_resolve_when_the_cache_is_down(setup, monkeypatch, caplog):
    # The limit fails open: a door whose Redis is down keeps taking typed numbers (and says so).
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        incr = add

    monkeypatch.setattr(scanning, "cache", Down())
    event, _staff, device, _token = setup
    ticket, _code = ticket_and_code(event)
    with caplog.at_level(logging.WARNING, logger="checkin.services.scanning"):
        outcome = checkin_perform(
            code=f"#{ticket.pk}",
            gate="",
            nonce=nonce(),
            scanned_at=None,
            scanner=device_scanner(device),
            event_id=event.pk,
        )
    assert (outcome.result, outcome.ticket_id) == ("ok", ticket.pk)
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_a_replayed_scan_answers_what_the_first_one_did(setup):
    # A phone that lost the answer sends the scan again: it must show the same person, ticket and
    # duplicate flag, also for a scan that was recorded without a ticket (wrong list).
    event, _staff, device, _token = setup
    scanner = device_scanner(device)
    ticket, code = ticket_and_code(event)
    other_list = checkin_list_default(event_id=open_event().pk)
    answers = []
    for list_id in (None, None, other_list.pk):
        used = nonce()
        first = checkin_perform(code=code, gate="A", nonce=used, scanned_at=None, scanner=scanner, list_id=list_id)
        again = checkin_perform(code=code, gate="A", nonce=used, scanned_at=None, scanner=scanner, list_id=list_id)
        first, again = first.as_json(), again.as_json()
        assert again["replayed"] is True
        assert {key: again[key] for key in ("result", "name", "ticket", "event")} == {
            key: first[key] for key in ("result", "name", "ticket", "event")
        }
        assert again.get("duplicate") == first.get("duplicate")
        answers.append(
            (first["result"], first["name"], first["ticket"], first["event"], first.get("duplicate"), first.get("gate"))
        )
    name = ticket.registration.user.display_name
    assert answers == [
        ("ok", name, ticket.pk, event.pk, None, "A"),
        ("already_checked_in", name, ticket.pk, event.pk, True, "A"),
        ("wrong_event", "", None, event.pk, None, None),
    ]
    assert Scan.objects.filter(ticket=ticket).count() == 2


def test_offline_sync_answers_a_refused_item_by_its_nonce_and_goes_on(setup):
    event, _staff, device, _token = setup
    ticket, code = ticket_and_code(event)
    gone, fine = nonce(), nonce()
    now = timezone.now()
    answers = checkin_sync(
        scans=[
            {"code": code, "gate": "", "nonce": gone, "scanned_at": now - timedelta(minutes=2), "list": 2**31 - 1},
            {"code": code, "gate": "", "nonce": fine, "scanned_at": now - timedelta(minutes=1)},
        ],
        scanner=device_scanner(device),
    )
    assert answers[0] == {"nonce": gone, "result": "no_list"}
    assert (answers[1]["nonce"], answers[1]["result"]) == (fine, "ok")
    assert Checkin.objects.filter(ticket=ticket).count() == 1


def test_a_typed_number_is_looked_up_in_the_chosen_event_or_in_the_lists_event(setup):
    event, _staff, device, _token = setup
    scanner = device_scanner(device)
    elsewhere = open_event()  # not in the device's scope
    session = SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.ends_at)
    forum = checkin_list_save(event=event, actor=None, session=session)
    ticket, _code = ticket_and_code(event)
    stranger, _ = ticket_and_code(elsewhere)

    def typed(number, **where):
        try:
            return checkin_perform(code=number, gate="", nonce=nonce(), scanned_at=None, scanner=scanner, **where)
        except CheckinError as error:
            return error.code

    # A session's list names its event: the number is that event's ticket, checked in on that list.
    by_list = typed(f"#{ticket.pk}", list_id=forum.pk)
    assert (by_list.result, by_list.ticket_id, by_list.event_id) == ("ok", ticket.pk, event.pk)
    assert list(Checkin.objects.filter(ticket=ticket).values_list("checkin_list_id", flat=True)) == [forum.pk]
    assert typed(str(ticket.pk), event_id=event.pk).result == "ok"  # the whole-event list
    # Another event's number is no ticket here; no event chosen means nothing; outside the scope, refused.
    assert typed(str(stranger.pk), event_id=event.pk).result == "invalid"
    assert typed(str(ticket.pk)).result == "invalid"
    assert typed(str(stranger.pk), event_id=elsewhere.pk) == "forbidden"
    assert typed(str(stranger.pk), list_id=checkin_list_default(event_id=elsewhere.pk).pk) == "forbidden"
    assert not Checkin.objects.filter(ticket=stranger).exists()
    # An offline queue keeps the event each number was typed for.
    late, _ = ticket_and_code(event)
    item = {"code": str(late.pk), "gate": "", "nonce": nonce(), "scanned_at": timezone.now(), "event": event.pk}
    assert checkin_sync(scans=[item], scanner=scanner)[0]["result"] == "ok"


def test_a_not_open_answer_carries_the_window_and_its_replay_answers_not_open_again():
    staff = organizer()
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=5))
    team_member(event, staff)
    device, _token = paired_device(staff, [event])
    _ticket, code = ticket_and_code(event)
    used = nonce()
    first, again = (
        checkin_perform(code=code, gate="", nonce=used, scanned_at=None, scanner=device_scanner(device)).as_json()
        for _ in range(2)
    )
    opens, closes = checkin_list_default(event_id=event.pk).window()
    assert (first["result"], first["opens_at"], first["closes_at"]) == (
        "not_open",
        opens.isoformat(),
        closes.isoformat(),
    )
    assert first["message"].endswith("开始签到")
    # The replay knows only the recorded result (no window): it says not_open, without details.
    assert again == {
        "result": "not_open",
        "name": first["name"],
        "ticket": first["ticket"],
        "event": event.pk,
        "replayed": True,
    }


def test_a_code_signed_by_this_event_naming_another_events_ticket_is_invalid(setup):
    # Defence in depth for a leaked signing key: the key of this event signs a code that names a
    # ticket of another event. The ticket is looked up within the event the code names.
    import base64

    from checkin.keys import private_key, signing_key_current

    event, _staff, device, _token = setup
    stranger, _ = ticket_and_code(open_event())
    key = signing_key_current(event.pk)
    body = f"1.{key.pk}.{stranger.pk}.{event.pk}"
    signature = base64.urlsafe_b64encode(private_key(key).sign(body.encode())).rstrip(b"=").decode()
    outcome = checkin_perform(
        code=f"{body}.{signature}", gate="", nonce=nonce(), scanned_at=None, scanner=device_scanner(device)
    )
    assert (outcome.result, outcome.name) == ("invalid", "")
    assert not Checkin.objects.filter(ticket=stranger).exists()


def test_a_rehearsal_opens_scanning_before_the_window():
    staff = organizer()
    event = EventFactory(starts_at=timezone.now() + timedelta(days=9))
    team_member(event, staff)
    device, _token = paired_device(staff, [event])
    _ticket, code = ticket_and_code(event)
    scanner = device_scanner(device)
    assert checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=scanner).result == "not_open"
    checkin_rehearsal_start(checkin_list=checkin_list_default(event_id=event.pk), actor=staff)
    assert checkin_perform(code=code, gate="", nonce=nonce(), scanned_at=None, scanner=scanner).result == "ok"


def test_a_check_in_is_audited_with_who_where_and_how(client, setup):
    event, staff, device, _token = setup
    queued, queued_code = ticket_and_code(event)
    at_the_desk, desk_code = ticket_and_code(event)
    answers = checkin_sync(
        scans=[{"code": queued_code, "gate": "东门", "nonce": nonce(), "scanned_at": timezone.now()}],
        scanner=device_scanner(device),
    )
    assert answers[0]["result"] == "ok" and Checkin.objects.get(ticket=queued).offline is True
    client.force_login(staff)
    body = json.dumps({"code": desk_code, "gate": "服务台", "nonce": nonce()})
    assert client.post("/api/checkin/scan", body, content_type="application/json").json()["result"] == "ok"
    whole_event = checkin_list_default(event_id=event.pk).pk
    entries = {
        entry.target_id: (entry.actor_id, entry.data) for entry in AuditEntry.objects.filter(action="checkin.create")
    }
    assert entries == {
        str(queued.pk): (None, {"list": whole_event, "gate": "东门", "device": device.pk, "offline": True}),
        str(at_the_desk.pk): (staff.pk, {"list": whole_event, "gate": "服务台", "device": None, "offline": False}),
    }
    scans = {scan.ticket_id: (scan.device_id, scan.by_user_id, scan.offline) for scan in Scan.objects.all()}
    assert scans == {queued.pk: (device.pk, None, True), at_the_desk.pk: (None, staff.pk, False)}


def test_an_earlier_offline_scan_flags_only_that_tickets_later_scan(setup):
    event, _staff, device, _token = setup
    scanner = device_scanner(device)
    ticket, code = ticket_and_code(event)
    neighbour, neighbour_code = ticket_and_code(event)
    session = SessionFactory(event=event, starts_at=event.starts_at, ends_at=event.ends_at)
    forum = checkin_list_save(event=event, actor=None, session=session)
    for each, list_id in ((code, None), (neighbour_code, None), (code, forum.pk)):
        outcome = checkin_perform(code=each, gate="", nonce=nonce(), scanned_at=None, scanner=scanner, list_id=list_id)
        assert outcome.result == "ok"
    earlier = {"code": code, "gate": "东门", "nonce": nonce(), "scanned_at": timezone.now() - timedelta(minutes=9)}
    assert checkin_sync(scans=[earlier], scanner=scanner)[0]["result"] == "ok"
    assert list(Scan.objects.filter(ticket=neighbour).values_list("result", "flagged")) == [("ok", False)]
    assert list(Scan.objects.filter(ticket=ticket, checkin_list=forum).values_list("result", "flagged")) == [
        ("ok", False)
    ]
    assert sorted(Scan.objects.filter(ticket=ticket).exclude(checkin_list=forum).values_list("result", "flagged")) == [
        ("already_checked_in", True),
        ("ok", False),
    ]


def test_scan_decide_at_the_edges_of_the_window_of_a_rehearsal_and_of_an_earlier_scan():
    opens = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    closes = opens + timedelta(hours=8)
    at = opens + timedelta(hours=2)

    def decide(when, existing=None, offline=False, allow_reentry=False, rehearsal_until=None):
        return scan_decide(
            status="confirmed",
            window=(opens, closes),
            scanned_at=when,
            gate="东门",
            existing=existing,
            allow_reentry=allow_reentry,
            offline=offline,
            rehearsal_until=rehearsal_until,
        )

    # Both ends belong to the window, and the rehearsal's end to the rehearsal.
    assert decide(opens) == ScanDecision("ok", create=True, checked_in_at=opens, gate="东门")
    assert decide(closes).result == "ok"
    assert decide(closes + timedelta(seconds=1)) == ScanDecision("not_open", opens_at=opens, closes_at=closes)
    early = opens - timedelta(hours=3)
    assert decide(early, rehearsal_until=early).result == "ok"
    assert decide(early, rehearsal_until=early - timedelta(seconds=1)).result == "not_open"
    # An offline scan at the very instant of the check-in is a duplicate; only an earlier one replaces it.
    existing = (at, "西门")
    assert decide(at, existing, offline=True) == ScanDecision(
        "already_checked_in", flagged=True, checked_in_at=at, gate="西门"
    )
    earlier = at - timedelta(minutes=1)
    assert decide(earlier, existing, offline=True) == ScanDecision(
        "ok", replace=True, checked_in_at=earlier, gate="东门"
    )
    later = at + timedelta(minutes=5)
    assert decide(later, existing, allow_reentry=True) == ScanDecision(
        "ok", reentry=True, checked_in_at=at, gate="西门"
    )


def test_an_earlier_offline_scan_relabels_only_the_check_in_not_refusals_or_reentries(setup):
    # The earliest scan wins: only the scan that was the check-in ("ok") becomes the duplicate. A
    # refused scan before the window and a re-entry keep what they were (the door's log and the
    # dashboard's counts of refusals and re-entries read them).
    event, staff, device, _token = setup
    scanner = device_scanner(device)
    ticket, code = ticket_and_code(event)
    checkin_list_save(event=event, actor=staff, allow_reentry=True)
    now = timezone.now()
    too_early = {"code": code, "gate": "东门", "nonce": nonce(), "scanned_at": now - timedelta(days=2)}
    assert checkin_sync(scans=[too_early], scanner=scanner)[0]["result"] == "not_open"
    for _ in range(2):  # the check-in, then a re-entry
        assert checkin_perform(code=code, gate="西门", nonce=nonce(), scanned_at=None, scanner=scanner).result == "ok"
    earlier = {"code": code, "gate": "东门", "nonce": nonce(), "scanned_at": now - timedelta(minutes=9)}
    assert checkin_sync(scans=[earlier], scanner=scanner)[0]["result"] == "ok"
    assert sorted(Scan.objects.filter(ticket=ticket).values_list("result", "flagged")) == [
        ("already_checked_in", True),
        ("not_open", False),
        ("ok", False),
        ("reentry", False),
    ]


def test_an_earlier_offline_scan_is_audited_with_who_which_ticket_and_where(setup):
    # DESIGN §5.5: the check-in that changed hands says who made the change, on which list and gate.
    event, staff, _device, _token = setup
    by_hand = scanning.Scanner(user=staff)  # an organizer's own phone, signed in
    ticket, code = ticket_and_code(event)
    assert checkin_perform(code=code, gate="西门", nonce=nonce(), scanned_at=None, scanner=by_hand).result == "ok"
    earlier = {"code": code, "gate": "东门", "nonce": nonce(), "scanned_at": timezone.now() - timedelta(minutes=4)}
    assert checkin_sync(scans=[earlier], scanner=by_hand)[0]["result"] == "ok"
    entry = AuditEntry.objects.get(action="checkin.earlier_offline_scan")
    whole_event = checkin_list_default(event_id=event.pk).pk
    assert (entry.actor_id, entry.target_id, entry.target_type.model) == (staff.pk, str(ticket.pk), "ticket")
    assert entry.data == {"list": whole_event, "gate": "东门", "device": None}


def test_only_a_first_check_in_moves_the_live_count(setup, django_capture_on_commit_callbacks):
    # The live push of a first check-in says so (`new`), and only that one tells the dashboards'
    # count of people inside to move: not a duplicate, not an earlier offline scan of the same person.
    from checkin.signals import checkins_recorded

    event, _staff, device, _token = setup
    scanner = device_scanner(device)
    _ticket, code = ticket_and_code(event)
    moved = []

    def receiver(sender, event_id, **kwargs):
        moved.append(event_id)

    checkins_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            checkin_perform(code=code, gate="东门", nonce=nonce(), scanned_at=None, scanner=scanner)
        assert moved == [event.pk]
        with django_capture_on_commit_callbacks(execute=True):
            checkin_perform(code=code, gate="东门", nonce=nonce(), scanned_at=None, scanner=scanner)
            earlier = {
                "code": code,
                "gate": "东门",
                "nonce": nonce(),
                "scanned_at": timezone.now() - timedelta(minutes=3),
            }
            checkin_sync(scans=[earlier], scanner=scanner)
        assert moved == [event.pk]
    finally:
        checkins_recorded.disconnect(receiver)


def test_a_code_of_an_event_the_device_may_not_scan_is_wrong_event_and_names_that_event(setup):
    # The phone tells the person at the door which event the ticket is for (fourth-run survivors
    # checkin_perform 39, 41): the answer carries the code's event, and nothing is recorded.
    event, _staff, device, _token = setup
    elsewhere = open_event()
    _ticket, code = ticket_and_code(elsewhere)
    answer = checkin_perform(code=code, gate="A", nonce=nonce(), scanned_at=None, scanner=device_scanner(device))
    assert answer.as_json()["result"] == "wrong_event" and answer.as_json()["event"] == elsewhere.pk
    assert not Scan.objects.filter(event_id__in=[event.pk, elsewhere.pk]).exists()


def test_a_scan_without_a_gate_records_an_empty_gate(setup):
    # checkin_perform 30: no gate is recorded as no gate, not as a made-up one.
    event, _staff, device, _token = setup
    ticket, code = ticket_and_code(event)
    checkin_perform(code=code, gate=None, nonce=nonce(), scanned_at=None, scanner=device_scanner(device))
    assert list(Scan.objects.filter(ticket=ticket).values_list("gate", flat=True)) == [""]
    assert list(Checkin.objects.filter(ticket=ticket).values_list("gate", flat=True)) == [""]


def test_the_dashboards_row_of_a_scan_says_which_list_who_where_and_how(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    # _record 34-41: the staff dashboard shows each scan from the pushed row alone.
    from checkin import live

    event, _staff, device, _token = setup
    scanner = device_scanner(device)
    ticket, code = ticket_and_code(event)
    pushed = []
    monkeypatch.setattr(live, "publish", lambda group, payload: pushed.append((group, payload)))
    online, offline = nonce(), nonce()
    with django_capture_on_commit_callbacks(execute=True):
        checkin_perform(code=code, gate="东门", nonce=online, scanned_at=None, scanner=scanner)
        earlier = {"code": code, "gate": "西门", "nonce": offline, "scanned_at": timezone.now() - timedelta(minutes=3)}
        checkin_sync(scans=[earlier], scanner=scanner)
    rows = [row for group, payload in pushed if group == live.group_event_staff(event.pk) for row in payload["scans"]]
    name = ticket.registration.user.display_name
    the_list = checkin_list_default(event_id=event.pk).pk
    keys = ("list", "result", "name", "gate", "duplicate", "nonce", "offline")
    assert [{key: row[key] for key in keys} for row in rows] == [
        {
            "list": the_list,
            "result": "ok",
            "name": name,
            "gate": "东门",
            "duplicate": False,
            "nonce": online,
            "offline": False,
        },
        {
            "list": the_list,
            "result": "ok",
            "name": name,
            "gate": "西门",
            "duplicate": False,
            "nonce": offline,
            "offline": True,
        },
    ]
