"""Meetings by hand: request, accept, decline, cancel, lapse, move; every refusal has its code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from matchmaking.errors import MatchmakingError
from matchmaking.models import Meeting
from matchmaking.services import (
    meeting_answer,
    meeting_cancel,
    meeting_move,
    meeting_request,
    meetings_lapse,
    schedule_violations,
)

from ..factories import EventFactory, SessionFactory
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    setup = matchmaking_event(slots=3)
    company, rep = company_at(setup, tables=1)
    person = confirmed_candidate(setup)
    return setup, company, rep, person


def ask(setup, company, person, slot=None, **kw):
    return meeting_request(
        slot=slot or slots_of(setup)[0], company_id=company.pk, candidate=person, actor=person, side="candidate", **kw
    )


def test_meeting_request_by_candidate_holds_the_table(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person, note="想了解博士后工作站")
    assert meeting.status == "requested" and meeting.table.company_id == company.pk
    assert meeting.requested_by_side == "candidate"
    assert meeting.expires_at == min(timezone.now() + timedelta(hours=24), meeting.slot.starts_at) or meeting.expires_at
    other = confirmed_candidate(setup)
    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, other)
    assert error.value.code == "no_table"


def test_meeting_accept_by_company_confirms_and_notifies(world, mailoutbox, django_capture_on_commit_callbacks):
    setup, company, rep, person = world
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_answer(meeting=ask(setup, company, person), actor=rep, accept=True)
    assert meeting.status == "accepted"
    assert person.notifications.filter(kind="meeting.accepted").count() == 1
    assert rep.notifications.filter(kind="meeting.confirmed").count() == 1
    ics = {m.to[0]: a for m in mailoutbox for a in m.attachments if a[0].endswith(".ics")}
    assert set(ics) == {person.email, rep.email}
    assert all(f"UID:meeting-{meeting.pk}@boju" in str(a[1]) for a in ics.values())


def test_meeting_answer_by_the_asking_side_is_refused(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person)
    with pytest.raises(MatchmakingError) as error:
        meeting_answer(meeting=meeting, actor=person, accept=True)
    assert error.value.code == "own_request"


def test_meeting_answer_by_a_stranger_is_forbidden(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person)
    _other_company, stranger = company_at(setup)
    with pytest.raises(MatchmakingError) as error:
        meeting_answer(meeting=meeting, actor=stranger, accept=True)
    assert error.value.code == "forbidden"


def test_meeting_decline_frees_the_cell(world):
    setup, company, rep, person = world
    meeting_answer(meeting=ask(setup, company, person), actor=rep, accept=False)
    assert ask(setup, company, confirmed_candidate(setup)).status == "requested"


def test_meeting_request_past_deadline_lapses_and_frees_the_cell(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person)
    later = meeting.expires_at + timedelta(seconds=1)
    with pytest.raises(MatchmakingError) as error:
        meeting_answer(meeting=meeting, actor=rep, accept=True, now=later)
    assert error.value.code == "lapsed"
    assert Meeting.objects.get(pk=meeting.pk).status == "lapsed"


def test_meetings_lapse_marks_expired_requests(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person)
    assert meetings_lapse(now=meeting.expires_at + timedelta(minutes=1)) == 1
    assert Meeting.objects.get(pk=meeting.pk).status == "lapsed"


def test_meeting_request_same_candidate_same_slot_is_refused(world):
    setup, company, rep, person = world
    ask(setup, company, person)
    other, _rep = company_at(setup)
    with pytest.raises(MatchmakingError) as error:
        ask(setup, other, person)
    assert error.value.code == "slot_taken"


def test_meeting_request_twice_for_the_pair_is_a_duplicate(world):
    setup, company, rep, person = world
    company_at  # noqa: B018  two tables would not help: one meeting per pair
    ask(setup, company, person)
    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, person, slot=slots_of(setup)[1])
    assert error.value.code == "duplicate"


def test_meeting_request_respects_candidate_maximum():
    setup = matchmaking_event(slots=3, max_candidate=1)
    a, _ = company_at(setup)
    b, _ = company_at(setup)
    person = confirmed_candidate(setup)
    ask(setup, a, person)
    with pytest.raises(MatchmakingError) as error:
        ask(setup, b, person, slot=slots_of(setup)[1])
    assert error.value.code == "over_candidate_max"


def test_meeting_request_when_company_absent_is_refused():
    setup = matchmaking_event(slots=2)
    company, _ = company_at(setup, slots=slots_of(setup)[1:])
    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, confirmed_candidate(setup))
    assert error.value.code == "company_absent"


def test_meeting_request_over_a_confirmed_session_elsewhere_is_refused(world):
    setup, company, rep, person = world
    slot = slots_of(setup)[0]
    other = EventFactory(starts_at=slot.starts_at - timedelta(hours=1), ends_at=slot.ends_at + timedelta(hours=1))
    SessionFactory(event=other, starts_at=slot.starts_at, ends_at=slot.ends_at)
    Registration.objects.create(event=other, user=person, status="confirmed")
    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, person, slot=slot)
    assert error.value.code == "candidate_busy"
    assert ask(setup, company, person, slot=slots_of(setup)[2]).status == "requested"


def test_meeting_request_back_to_back_in_another_hall_is_refused():
    setup = matchmaking_event(slots=3)
    a, _ = company_at(setup, hall="A")
    b, _ = company_at(setup, hall="B")
    person = confirmed_candidate(setup)
    first, second, third = slots_of(setup)
    ask(setup, a, person, slot=first)
    with pytest.raises(MatchmakingError) as error:
        ask(setup, b, person, slot=second)
    assert error.value.code == "travel"
    assert ask(setup, b, person, slot=third).status == "requested"


def test_meeting_request_by_unregistered_candidate_is_refused(world):
    setup, company, rep, person = world
    from ..factories import candidate

    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, candidate())
    assert error.value.code == "not_registered"


def test_meeting_request_when_closed_is_refused(world):
    setup, company, rep, person = world
    setup.requests_close_at = timezone.now() - timedelta(minutes=1)
    setup.save()
    with pytest.raises(MatchmakingError) as error:
        ask(setup, company, person)
    assert error.value.code == "closed"


def test_meeting_request_for_someone_else_is_forbidden(world):
    setup, company, rep, person = world
    with pytest.raises(MatchmakingError) as error:
        meeting_request(
            slot=slots_of(setup)[0],
            company_id=company.pk,
            candidate=person,
            actor=confirmed_candidate(setup),
            side="candidate",
        )
    assert error.value.code == "forbidden"


def test_meeting_request_by_company_then_candidate_accepts(world):
    setup, company, rep, person = world
    meeting = meeting_request(
        slot=slots_of(setup)[1], company_id=company.pk, candidate=person, actor=rep, side="company"
    )
    assert meeting_answer(meeting=meeting, actor=person, accept=True).status == "accepted"
    assert schedule_violations(setup) == []


def test_meeting_cancel_by_candidate_notifies_company(world):
    setup, company, rep, person = world
    meeting = meeting_answer(meeting=ask(setup, company, person), actor=rep, accept=True)
    meeting_cancel(meeting=meeting, actor=person)
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert rep.notifications.filter(kind="meeting.cancelled").count() == 1


def test_meeting_move_by_organizer_to_free_cell_pins_it(world):
    setup, company, rep, person = world
    meeting = meeting_answer(meeting=ask(setup, company, person), actor=rep, accept=True)
    target = slots_of(setup)[2]
    moved = meeting_move(meeting=meeting, slot=target, table=meeting.table, actor=setup.boss)
    assert (moved.slot_id, moved.pinned, moved.sequence) == (target.pk, True, 1)
    assert person.notifications.filter(kind="meeting.changed").count() == 1


def test_meeting_move_onto_a_taken_cell_is_refused(world):
    setup, company, rep, person = world
    first = meeting_answer(meeting=ask(setup, company, person), actor=rep, accept=True)
    other = confirmed_candidate(setup)
    second = ask(setup, company, other, slot=slots_of(setup)[1])
    with pytest.raises(MatchmakingError) as error:
        meeting_move(meeting=second, slot=first.slot, table=first.table, actor=setup.boss)
    assert error.value.code == "table_taken"


def test_meeting_move_by_company_is_forbidden(world):
    setup, company, rep, person = world
    meeting = ask(setup, company, person)
    with pytest.raises(MatchmakingError) as error:
        meeting_move(meeting=meeting, slot=slots_of(setup)[2], table=meeting.table, actor=rep)
    assert error.value.code == "forbidden"


def test_meeting_invitation_by_company_to_a_candidate_without_consent_is_refused():
    setup = matchmaking_event(slots=2)
    company, rep = company_at(setup)
    shy = confirmed_candidate(setup, consent=False)
    with pytest.raises(MatchmakingError) as error:
        meeting_request(slot=slots_of(setup)[0], company_id=company.pk, candidate=shy, actor=rep, side="company")
    assert error.value.code == "no_consent"
