"""The seat counters on the event row equal a recount, whatever happens to the registrations.

The stateful test drives random sequences of the services that change seats — registrations,
cancellations by the person or an organizer, an organizer's promotion past capacity, capacity
going up or down — and after every step compares the counters with a recount. It runs on
PostgreSQL (where production runs) with a bounded number of examples (about 30 s)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from accounts.models import AuditEntry
from events.models import Event, Registration
from events.services import RegistrationError, event_update, registration_cancel, registration_create
from events.services.registration import registration_promote, seats_recount

from ..factories import EventFactory, RegistrationFactory, candidate, organizer


def stored(event):
    event = Event.objects.get(pk=event.pk)
    return event.seats_confirmed, event.seats_waitlisted


class Seats(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.event = EventFactory(capacity=3, waitlist_enabled=True)
        self.boss = organizer(manages_all=True)
        self.people = [candidate() for _ in range(6)]

    @rule(who=st.integers(0, 5))
    def register(self, who):
        try:
            registration_create(event=self.event, user=self.people[who])
        except RegistrationError:
            pass  # duplicate or full: nothing may move then either

    @rule(who=st.integers(0, 5), by_organizer=st.booleans())
    def cancel(self, who, by_organizer):
        registration = Registration.objects.active().filter(event=self.event, user=self.people[who]).first()
        if registration is not None:
            registration_cancel(registration=registration, actor=self.boss if by_organizer else self.people[who])

    @rule()
    def promote_by_hand(self):
        waiting = Registration.objects.filter(event=self.event, status="waitlisted").first()
        if waiting is not None:
            registration_promote(registration=waiting, actor=self.boss)

    @rule(capacity=st.integers(1, 6))
    def change_capacity(self, capacity):
        event_update(event=self.event, actor=self.boss, data={"capacity": capacity})

    @invariant()
    def counters_equal_a_recount(self):
        assert stored(self.event) == seats_recount(self.event)


@pytest.mark.django_db(transaction=True)
def test_seat_counters_equal_a_recount_after_any_sequence(postgres):
    # Slow-ish by design (~30 s): 25 sequences of up to 20 steps against the real database.
    machine = Seats.TestCase
    machine.settings = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()


@pytest.mark.django_db
def test_seats_recount_reports_drift_and_fixes_it():
    event = EventFactory(capacity=10)
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, status="waitlisted")
    Event.objects.filter(pk=event.pk).update(seats_confirmed=7)  # drift, as a hand edit in SQL would
    out = StringIO()
    call_command("seats_recount", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"event": event.pk, "stored": [7, 1], "recount": [3, 1], "fixed": False},
        {"events": 1, "drifted": 1, "fixed": 0},
    ]
    assert stored(event) == (7, 1)  # a report only
    out = StringIO()
    call_command("seats_recount", "--fix", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == {"events": 1, "drifted": 1, "fixed": 1}
    assert stored(event) == (3, 1)
    entry = AuditEntry.objects.get(action="event.seats_repair")
    assert entry.data == {"before": [7, 1], "after": [3, 1]}


@pytest.mark.django_db
def test_seats_repair_fixes_a_drifted_waiting_list_and_audits_the_event():
    """Both counters are stored, and the audit entry names the event (mutants: one side left
    out of the update, the audit without its target)."""
    from events.services.registration import seats_repair

    event = EventFactory(capacity=10)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory.create_batch(2, event=event, status="waitlisted")
    Event.objects.filter(pk=event.pk).update(seats_confirmed=5, seats_waitlisted=9)
    assert seats_repair(event=event) == ((5, 9), (2, 2))
    assert stored(event) == (2, 2)
    entry = AuditEntry.objects.get(action="event.seats_repair")
    assert (entry.target_type.model, entry.target_id, entry.data) == (
        "event",
        str(event.pk),
        {"before": [5, 9], "after": [2, 2]},
    )
    assert seats_repair(event=event) == ((2, 2), (2, 2))  # nothing to fix: nothing written
    assert AuditEntry.objects.filter(action="event.seats_repair").count() == 1


@pytest.mark.django_db
def test_a_promotion_by_hand_moves_both_counters():
    """Not left to the stateful test's random walk: one seat more, one waiting less, stored."""
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    Event.objects.filter(pk=event.pk).update(seats_confirmed=1, seats_waitlisted=1)
    registration_promote(registration=waiting, actor=organizer(manages_all=True))
    assert stored(event) == (2, 0) == seats_recount(event)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed" and waiting.confirmed_at is not None


@pytest.mark.django_db
def test_seat_count_reads_no_registration_rows():
    """The cost inside the lock does not grow with the event: the count is the row's counters
    plus one indexed lookup of the person's own registration, at 5 or at 500 registrations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = EventFactory(capacity=1000)
    first, second, third = candidate(), candidate(), candidate()
    registration_create(event=event, user=first)  # warms the caches (content types) once
    RegistrationFactory.create_batch(5, event=event)
    with CaptureQueriesContext(connection) as small:
        registration_create(event=event, user=second)
    RegistrationFactory.create_batch(500, event=event)
    with CaptureQueriesContext(connection) as large:
        registration_create(event=event, user=third)
    assert [q["sql"].split()[0] for q in small.captured_queries] == [
        q["sql"].split()[0] for q in large.captured_queries
    ]
    assert stored(event) == (508, 0)
