"""After booking: marking at the table (tap or ticket QR), feedback, reminders, the webcal feed,
the live topic's permission, and the personal data export."""

from datetime import timedelta

import pytest

from checkin.tickets import ticket_code, ticket_for_registration
from events.calendar import personal_ics
from events.models import Registration
from matchmaking.calendar import meeting_uid
from matchmaking.errors import MatchmakingError
from matchmaking.models import Feedback
from matchmaking.privacy import personal_data_export
from matchmaking.services import feedback_save, meeting_answer, meeting_mark, meeting_mark_by_ticket, meeting_request
from notifications.live import topic_authorize
from notifications.reminders import reminders_run

from ..factories import company_member, organizer
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted():
    setup = matchmaking_event(slots=2)
    company, rep = company_at(setup, tables=1)
    person = confirmed_candidate(setup)
    meeting = meeting_request(
        slot=slots_of(setup)[0], company_id=company.pk, candidate=person, actor=person, side="candidate"
    )
    return setup, rep, person, meeting_answer(meeting=meeting, actor=rep, accept=True)


def test_meeting_mark_before_the_slot_is_refused_then_held(accepted):
    setup, rep, person, meeting = accepted
    with pytest.raises(MatchmakingError) as error:
        meeting_mark(meeting=meeting, actor=rep, held=True)
    assert error.value.code == "too_early"
    later = meeting.slot.starts_at + timedelta(minutes=1)
    assert meeting_mark(meeting=meeting, actor=rep, held=False, now=later).attendance == "no_show"


def test_meeting_mark_by_the_candidate_is_forbidden(accepted):
    setup, rep, person, meeting = accepted
    with pytest.raises(MatchmakingError) as error:
        meeting_mark(meeting=meeting, actor=person, held=True, now=meeting.slot.starts_at)
    assert error.value.code == "forbidden"


def test_meeting_mark_by_ticket_of_the_candidate_marks_held(accepted):
    setup, rep, person, meeting = accepted
    registration = Registration.objects.get(event=setup.event, user=person)
    code = ticket_code(ticket_for_registration(registration))
    later = meeting.slot.starts_at + timedelta(minutes=2)
    assert meeting_mark_by_ticket(meeting=meeting, actor=rep, code=code, now=later).attendance == "held"
    stranger = confirmed_candidate(setup)
    other_code = ticket_code(ticket_for_registration(Registration.objects.get(event=setup.event, user=stranger)))
    with pytest.raises(MatchmakingError) as error:
        meeting_mark_by_ticket(meeting=meeting, actor=rep, code=other_code, now=later)
    assert error.value.code == "wrong_candidate"
    with pytest.raises(MatchmakingError) as error:
        meeting_mark_by_ticket(meeting=meeting, actor=rep, code="garbage", now=later)
    assert error.value.code == "bad_ticket"


def test_feedback_from_both_sides_is_kept_once_each(accepted):
    setup, rep, person, meeting = accepted
    later = meeting.slot.ends_at
    feedback_save(meeting=meeting, actor=person, rating=5, outcome="interview", now=later)
    feedback_save(meeting=meeting, actor=rep, rating=4, outcome="offer", comment="拟发放录用意向", now=later)
    feedback_save(meeting=meeting, actor=rep, rating=5, outcome="offer", now=later)
    assert sorted(Feedback.objects.values_list("side", "rating", "outcome")) == [
        ("candidate", 5, "interview"),
        ("company", 5, "offer"),
    ]
    with pytest.raises(MatchmakingError) as error:
        feedback_save(meeting=meeting, actor=company_member(), rating=1, now=later)
    assert error.value.code == "forbidden"


def test_reminder_goes_to_both_sides_two_hours_before(accepted):
    setup, rep, person, meeting = accepted
    reminders_run(now=meeting.slot.starts_at - timedelta(minutes=90))
    assert person.notifications.filter(kind="reminder.meeting").count() == 1
    assert rep.notifications.filter(kind="reminder.meeting").count() == 1
    reminders_run(now=meeting.slot.starts_at - timedelta(minutes=80))
    assert person.notifications.filter(kind="reminder.meeting").count() == 1


def test_accepted_meeting_is_in_both_personal_feeds_with_a_stable_uid(accepted):
    setup, rep, person, meeting = accepted
    for user in (person, rep):
        assert f"UID:{meeting_uid(meeting.pk)}" in personal_ics(user).decode()
    assert f"UID:{meeting_uid(meeting.pk)}" not in personal_ics(confirmed_candidate(setup)).decode()


def test_live_grid_topic_only_for_the_event_organizers(accepted):
    setup, rep, person, meeting = accepted
    topic = f"meetings.{setup.pk}.staff"
    assert topic_authorize(setup.boss, topic) is True
    assert topic_authorize(organizer(), topic) is False
    assert topic_authorize(rep, topic) is False
    assert topic_authorize(setup.boss, f"meetings.{setup.pk}") is False


def test_personal_data_export_lists_own_meetings(accepted):
    setup, rep, person, meeting = accepted
    data = personal_data_export(person)
    assert [m["company"] for m in data["meetings"]] == [meeting.company.name]
    assert personal_data_export(confirmed_candidate(setup)) == {}


def test_list_pages_query_count_does_not_grow_with_meetings(client, django_assert_max_num_queries):
    setup = matchmaking_event(slots=8)
    company, rep = company_at(setup, tables=3)
    people = [confirmed_candidate(setup) for _ in range(12)]
    for i, person in enumerate(people[:2]):
        meeting_request(
            slot=slots_of(setup)[i], company_id=company.pk, candidate=person, actor=person, side="candidate"
        )
    client.force_login(setup.boss)
    url = f"/console/meetings/{setup.pk}/live.json"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i, person in enumerate(people[2:]):
        meeting_request(
            slot=slots_of(setup)[i % 8], company_id=company.pk, candidate=person, actor=person, side="candidate"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    client.force_login(rep)
    with CaptureQueriesContext(connection) as company_page:
        client.get(f"/meetings/{setup.pk}/company/live.json")
    assert len(company_page.captured_queries) < 25
