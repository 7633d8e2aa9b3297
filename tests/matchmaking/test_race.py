"""Many people clicking at once, on PostgreSQL (DESIGN §5.7).

The company's participation row and the candidate's registration row, locked in that order,
make "is the cell free?" and the insert one step; the partial unique constraints on
(slot, candidate) and (slot, table) are the backstop. The negative control runs the same race
with the locks patched out and the constraints dropped: it double-books.
"""

import threading
from contextlib import contextmanager

from django.db import connection

from matchmaking.errors import MatchmakingError
from matchmaking.models import Meeting
from matchmaking.services import locks, meeting_answer, meeting_request, schedule_violations
from matchmaking.services import meetings as meetings_module

from ..events.test_concurrency import run_together
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of

RACERS = 30


@contextmanager
def without_constraints():
    names = {"mm_meeting_one_per_candidate_slot", "mm_meeting_one_per_table_slot"}
    constraints = [c for c in Meeting._meta.constraints if c.name in names]
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(Meeting, constraint)
    try:
        yield
    finally:
        Meeting.objects.all().delete()  # the race's duplicates would stop the indexes coming back
        with connection.schema_editor() as editor:
            for constraint in constraints:
                editor.add_constraint(Meeting, constraint)


def unlocked(monkeypatch):
    """The services as if they forgot the row locks, with every racer checking the cell before
    any of them inserts: the window the locks close is then open for all of them on every run,
    however unevenly the threads got their connections (a 50 ms pause here depended on the
    machine's load). Only for the unlocked services: behind the real locks one racer at a time
    reaches the check, and a barrier there would wait for the others until it broke."""
    monkeypatch.setattr(
        meetings_module,
        "lock_pair",
        lambda e, k, c: (
            locks.Participation.objects.get(event_id=e, company_id=k),
            locks.Registration.objects.get(event_id=e, user_id=c, status="confirmed"),
        ),
    )
    check = meetings_module.check_cell
    all_checked = threading.Barrier(RACERS, timeout=60)

    def check_then_wait(**kwargs):
        table = check(**kwargs)
        all_checked.wait()
        return table

    monkeypatch.setattr(meetings_module, "check_cell", check_then_wait)


def race_for_one_table():
    setup = matchmaking_event(slots=1)
    company, _rep = company_at(setup, tables=1)
    slot = slots_of(setup)[0]
    people = [confirmed_candidate(setup) for _ in range(RACERS)]
    errors = run_together(
        [
            lambda p=p: meeting_request(slot=slot, company_id=company.pk, candidate=p, actor=p, side="candidate")
            for p in people
        ]
    )
    return setup, slot, errors


def race_for_one_candidate():
    """One candidate asks RACERS companies for the same slot at once (e.g. several tabs)."""
    setup = matchmaking_event(slots=1, max_candidate=RACERS)
    companies = [company_at(setup, tables=1)[0] for _ in range(RACERS)]
    person = confirmed_candidate(setup)
    slot = slots_of(setup)[0]
    errors = run_together(
        [
            lambda c=c: meeting_request(slot=slot, company_id=c.pk, candidate=person, actor=person, side="candidate")
            for c in companies
        ]
    )
    return setup, person, errors


def test_many_candidates_racing_for_one_table_get_exactly_one_meeting(postgres):
    setup, slot, errors = race_for_one_table()
    assert Meeting.objects.filter(slot=slot, status__in=("requested", "accepted")).count() == 1
    assert len(errors) == RACERS - 1
    assert {type(e) for e in errors} == {MatchmakingError} and {e.code for e in errors} == {"no_table"}
    assert schedule_violations(setup) == []


def test_one_candidate_racing_many_companies_gets_one_meeting_in_the_slot(postgres):
    setup, person, errors = race_for_one_candidate()
    assert Meeting.objects.filter(candidate=person, status="requested").count() == 1
    assert len(errors) == RACERS - 1 and {e.code for e in errors} == {"slot_taken"}


def test_the_registration_lock_alone_holds_without_the_constraints(postgres):
    # Each racer locks a different company, so the candidate's registration row is what queues
    # them; with the constraints in place the test above cannot tell (the (slot, candidate)
    # constraint answers slot_taken as well).
    with without_constraints():
        _setup, person, errors = race_for_one_candidate()
        assert Meeting.objects.filter(candidate=person, status="requested").count() == 1
    assert len(errors) == RACERS - 1 and {e.code for e in errors} == {"slot_taken"}


def test_the_constraints_alone_hold_without_the_locks(postgres, monkeypatch):
    unlocked(monkeypatch)
    setup, slot, errors = race_for_one_table()
    assert Meeting.objects.filter(slot=slot, status="requested").count() == 1
    # All passed the check, so the losers were all stopped by the (slot, table) constraint.
    assert len(errors) == RACERS - 1
    assert {type(e) for e in errors} == {MatchmakingError} and {e.code for e in errors} == {"slot_taken"}


def test_negative_control_without_locks_and_constraints_double_books(postgres, monkeypatch):
    unlocked(monkeypatch)
    with without_constraints():
        setup, slot, errors = race_for_one_table()
        double = Meeting.objects.filter(slot=slot, status="requested").count()
        violations = schedule_violations(setup)
    # Everyone found the one table free, so everyone got it: RACERS meetings at one table.
    assert (double, errors) == (RACERS, []), f"expected {RACERS} meetings at one table, got {double}: {errors[:3]}"
    assert any("twice in slot" in v for v in violations)


def test_request_and_accept_race_each_other_consistently(postgres):
    """Company accepts one candidate's request while other candidates try the same cell."""
    setup = matchmaking_event(slots=1)
    company, rep = company_at(setup, tables=1)
    slot = slots_of(setup)[0]
    first = confirmed_candidate(setup)
    meeting = meeting_request(slot=slot, company_id=company.pk, candidate=first, actor=first, side="candidate")
    others = [confirmed_candidate(setup) for _ in range(10)]
    actions = [lambda: meeting_answer(meeting=meeting, actor=rep, accept=True)]
    actions += [
        lambda p=p: meeting_request(slot=slot, company_id=company.pk, candidate=p, actor=p, side="candidate")
        for p in others
    ]
    errors = run_together(actions)
    assert Meeting.objects.get(pk=meeting.pk).status == "accepted"
    assert Meeting.objects.filter(slot=slot, status__in=("requested", "accepted")).count() == 1
    assert len(errors) == 10 and {e.code for e in errors} == {"no_table"}
