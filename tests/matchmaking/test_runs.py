"""Scheduler runs on the database: drafts book nothing, publishing books, re-runs keep what was
published, accepted and pinned meetings stay, and an older run can be published again."""

from datetime import timedelta

import pytest

from events.models import Registration
from matchmaking.errors import MatchmakingError
from matchmaking.models import Interest, Meeting
from matchmaking.services import meeting_answer, meeting_pin, meeting_request, problem_build, run_create, run_publish

from ..factories import EventFactory, SessionFactory
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of
from .invariants import db_problems

pytestmark = pytest.mark.django_db


def wish(setup, company, person, side="candidate", priority=1):
    Interest.objects.create(event=setup.event, company=company, candidate=person, side=side, priority=priority)


@pytest.fixture
def world():
    setup = matchmaking_event(slots=3, max_candidate=2)
    a, rep_a = company_at(setup, tables=1, hall="A")
    b, rep_b = company_at(setup, tables=1, hall="A")
    people = [confirmed_candidate(setup) for _ in range(4)]
    for i, person in enumerate(people):
        wish(setup, a if i % 2 == 0 else b, person)
        wish(setup, b if i % 2 == 0 else a, person, priority=3)
    return setup, (a, rep_a), (b, rep_b), people


def test_run_draft_books_nothing_then_publish_books_and_notifies(world):
    setup, (a, _), (b, _), people = world
    run = run_create(setup=setup, actor=setup.boss, time_limit=5)
    assert run.status == "draft" and Meeting.objects.count() == 0
    assert run.report["status"] == "optimal" and run.stats["meetings"] == 6
    run_publish(run=run, actor=setup.boss)
    assert Meeting.objects.filter(status="accepted", origin="scheduler").count() == 6
    assert db_problems(setup) == []
    assert people[0].notifications.filter(kind="meeting.scheduled").count() >= 1


def test_rerun_after_a_new_wish_moves_no_published_meeting(world):
    setup, (a, _), (b, _), people = world
    run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
    before = {
        (m.candidate_id, m.company_id): (m.slot_id, m.table_id) for m in Meeting.objects.filter(status="accepted")
    }
    late = confirmed_candidate(setup)
    wish(setup, a, late)
    run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
    after = {(m.candidate_id, m.company_id): (m.slot_id, m.table_id) for m in Meeting.objects.filter(status="accepted")}
    assert {p: after.get(p) for p in before} == before
    assert db_problems(setup) == []


def test_hand_accepted_and_pinned_meetings_stay_where_they_are(world):
    setup, (a, rep_a), (b, rep_b), people = world
    slot = slots_of(setup)[2]
    hand = meeting_answer(
        meeting=meeting_request(slot=slot, company_id=a.pk, candidate=people[0], actor=people[0], side="candidate"),
        actor=rep_a,
        accept=True,
    )
    run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
    pinned = scheduled = Meeting.objects.filter(origin="scheduler", status="accepted").first()
    meeting_pin(meeting=scheduled, actor=setup.boss, pinned=True)
    run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
    hand.refresh_from_db()
    pinned.refresh_from_db()
    assert (hand.status, hand.slot_id) == ("accepted", slot.pk)
    assert (pinned.status, pinned.slot_id, pinned.table_id) == ("accepted", scheduled.slot_id, scheduled.table_id)
    assert Meeting.objects.filter(candidate=people[0], company=a, status="accepted").count() == 1


def test_scheduler_never_overlaps_a_session_elsewhere(world):
    setup, (a, _), (b, _), people = world
    busy = people[0]
    for slot in slots_of(setup)[:2]:
        other = EventFactory(starts_at=slot.starts_at - timedelta(minutes=1), ends_at=slot.ends_at + timedelta(hours=1))
        SessionFactory(event=other, starts_at=slot.starts_at, ends_at=slot.ends_at)
        Registration.objects.create(event=other, user=busy, status="confirmed")
    run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
    assert set(Meeting.objects.filter(candidate=busy).values_list("slot_id", flat=True)) <= {slots_of(setup)[2].pk}
    assert db_problems(setup) == []


def test_company_wish_for_a_candidate_without_consent_is_ignored(world):
    setup, (a, _), (b, _), people = world
    shy = confirmed_candidate(setup, consent=False)
    wish(setup, a, shy, side="company")
    problem, _extra = problem_build(setup)
    assert all(c != shy.pk for c, _k in problem.wishes)


def test_an_older_run_can_be_published_again(world):
    setup, (a, _), (b, _), people = world
    first = run_create(setup=setup, actor=setup.boss, time_limit=5)
    run_publish(run=first, actor=setup.boss)
    Interest.objects.filter(candidate=people[1]).delete()
    second = run_create(setup=setup, actor=setup.boss, time_limit=5)
    run_publish(run=second, actor=setup.boss)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert not Meeting.objects.filter(candidate=people[1], status="accepted").exists()
    run_publish(run=first, actor=setup.boss)
    booked = {
        tuple(r)
        for r in Meeting.objects.filter(status="accepted", origin="scheduler").values_list(
            "candidate_id", "company_id", "slot_id", "table_id"
        )
    }
    assert booked == {tuple(r) for r in first.assignments}
    assert any(r[0] == people[1].pk for r in booked)
    with pytest.raises(MatchmakingError) as error:
        run_publish(run=first, actor=setup.boss)
    assert error.value.code == "run_not_draft"


def test_publishing_a_stale_run_that_clashes_with_a_later_booking_is_refused(world):
    setup, (a, rep_a), (b, _), people = world
    run = run_create(setup=setup, actor=setup.boss, time_limit=5)
    c, k, s, t = run.assignments[0]
    intruder = confirmed_candidate(setup)
    meeting_request(
        slot=next(x for x in slots_of(setup) if x.pk == s),
        company_id=k,
        candidate=intruder,
        actor=intruder,
        side="candidate",
    )
    with pytest.raises(MatchmakingError) as error:
        run_publish(run=run, actor=setup.boss)
    assert error.value.code == "slot_taken"
    assert Meeting.objects.filter(origin="scheduler").count() == 0
