"""50 phones scan one ticket at the same instant on PostgreSQL: exactly one `ok` (DESIGN §5.7),
and a negative control showing the row lock is what makes the answer right."""

import threading

import pytest
from django.db import IntegrityError, connections

from checkin.models import Checkin, Scan
from checkin.services import checkin_list_default, scanning
from tests.factories import organizer, team_member

from .helpers import device_scanner, nonce, open_event, paired_device, ticket_and_code

RACERS = 50


def run_together(actions):
    barrier = threading.Barrier(len(actions))
    results, errors = [], []
    lock = threading.Lock()

    def run(action):
        try:
            barrier.wait(timeout=60)
            value = action()
            with lock:
                results.append(value)
        except BaseException as error:  # collected and asserted by the caller
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results, errors


def race(event, device, code):
    scanner = device_scanner(device)
    return run_together(
        [
            lambda n=nonce(): (
                scanning.checkin_perform(code=code, gate=f"G{n[:2]}", nonce=n, scanned_at=None, scanner=scanner).result
            )
            for _ in range(RACERS)
        ]
    )


@pytest.fixture
def scene(postgres):
    event = open_event()
    staff = organizer()
    team_member(event, staff)
    device, _token = paired_device(staff, [event])
    ticket, code = ticket_and_code(event)
    # The list exists before the doors open (its first creation would serialize the racers by itself).
    checkin_list_default(event_id=event.pk)
    return event, device, ticket, code


def test_50_simultaneous_scans_of_one_ticket_give_exactly_one_ok(scene):
    event, device, ticket, code = scene
    results, errors = race(event, device, code)
    assert errors == []
    assert sorted(results) == ["already_checked_in"] * (RACERS - 1) + ["ok"]
    assert Checkin.objects.filter(ticket=ticket).count() == 1
    assert Scan.objects.filter(ticket=ticket, result="ok").count() == 1
    assert Scan.objects.filter(ticket=ticket, result="already_checked_in", flagged=True).count() == RACERS - 1


def test_50_simultaneous_scans_without_the_lock_break_the_rule(scene, monkeypatch):
    """Negative control: with the row lock removed, racers all see no check-in and insert; the
    constraint still keeps one row, but the others fail instead of answering already_checked_in."""
    event, device, ticket, code = scene
    from checkin.models import Ticket

    # Every racer reads the ticket before any of them goes on: the window the lock would have
    # closed is then open for all of them, however unevenly the threads got their connections
    # (a 50 ms pause here instead let a loaded CI machine spread them out so far that no two
    # overlapped, and the control failed without saying anything about the lock).
    all_read = threading.Barrier(RACERS, timeout=30)

    def unlocked(ticket_id, event_id):
        found = Ticket.objects.select_related("registration__user").filter(pk=ticket_id, event_id=event_id).first()
        all_read.wait()
        return found

    monkeypatch.setattr(scanning, "_lock_ticket", unlocked)
    results, errors = race(event, device, code)
    assert len(errors) > 0, "without the lock some racers must collide on the constraint"
    assert all(isinstance(error, IntegrityError) for error in errors), errors[:3]
    assert sorted(results).count("already_checked_in") < RACERS - 1
    assert Checkin.objects.filter(ticket=ticket).count() == 1  # the constraint is the last line


# --- typed ticket numbers: the per-scanner limit under a burst ----------------------------------

NUMBER_RACERS = 45


@pytest.fixture
def hour_window(monkeypatch):
    # The real limit over an hour: the burst must not straddle a minute boundary on a slow machine.
    monkeypatch.setattr(scanning, "NUMBER_LIMIT", (scanning.NUMBER_LIMIT[0], 3600))


def number_burst(event, device):
    from django.core.cache import cache

    cache.clear()
    scanner = device_scanner(device)
    return run_together(
        [
            lambda n=nonce(), i=i: (
                scanning.checkin_perform(
                    code=str(800000 + i), gate="", nonce=n, scanned_at=None, scanner=scanner, event_id=event.pk
                ).result
            )
            for i in range(NUMBER_RACERS)
        ]
    )


def _rate_limited(errors):
    return [e for e in errors if getattr(e, "code", "") == "rate_limited"]


def test_a_burst_of_typed_numbers_lets_exactly_the_limit_through(scene, hour_window):
    event, device, _ticket, _code = scene
    limit = scanning.NUMBER_LIMIT[0]
    results, errors = number_burst(event, device)
    assert len(_rate_limited(errors)) == len(errors) == NUMBER_RACERS - limit
    assert results == ["invalid"] * limit


def test_a_burst_of_typed_numbers_with_a_read_then_write_counter_lets_more_through(scene, monkeypatch, hour_window):
    """Negative control: a counter read and then written (not one INCR) lets racers through on
    the same stale count."""
    from django.core.cache import cache

    event, device, _ticket, _code = scene
    # Every racer reads the count before any writes it back (a barrier, not a 50 ms pause that
    # depended on the machine's load). The atomic INCR of the test above has no read to wait after.
    all_read = threading.Barrier(NUMBER_RACERS, timeout=30)

    def read_then_write(key, window):
        used = cache.get(key, 0) + 1
        all_read.wait()
        cache.set(key, used, window + 5)
        return used

    monkeypatch.setattr(scanning, "_numbers_typed", read_then_write)
    results, errors = number_burst(event, device)
    # All read 0, so each counted itself the first: none of the 45 was stopped at the limit of 30.
    assert (results, errors) == (["invalid"] * NUMBER_RACERS, []), errors[:3]
