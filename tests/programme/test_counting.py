"""The counters: each person once, every way a check-in is written, equal to a recount."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import account_delete, candidate_profile_save
from checkin.services import Scanner, checkin_perform
from checkin.tickets import ticket_code, ticket_for_registration
from events.models import Event
from programme.counting import recount, tallies_catch_up, tallies_read, tallies_rebuild
from programme.counting.tallies import month_of
from programme.models import Attendance, Cursor, Reach
from programme.selectors import public_figures
from programme.services import targets_default
from tests.factories import CompanyFactory, RegistrationFactory, SeriesFactory, candidate, organizer

from .factories import checkin_orm, checkin_raw, district_code, past_event, project

pytestmark = pytest.mark.django_db


def test_person_counted_once_across_events_and_check_ins():
    series = SeriesFactory()
    person = candidate(province="shandong", university_type="985")
    events = [past_event(series, days_ago=d) for d in (30, 20, 10)]
    for event in events:
        registration = RegistrationFactory(event=event, user=person)
        checkin_orm(registration)
    # A second check-in of the same person at the same event (a session list) adds nothing either.
    from checkin.models import CheckinList
    from tests.factories import SessionFactory

    session = SessionFactory(event=events[0])
    session_list = CheckinList.objects.create(event=events[0], session=session, name="分会场")
    checkin_orm(person.registrations.get(event=events[0]), session_list=session_list)
    tallies_catch_up()
    figures = tallies_read(series.pk)
    assert figures[("people", "")] == 1
    assert figures[("people.province", "shandong")] == 1
    assert figures[("people.unitype", "985")] == 1
    assert figures[("people.event", str(events[0].pk))] == 1  # reached at the earliest one
    assert [figures[("attend.event", str(e.pk))] for e in events] == [1, 1, 1]
    assert Reach.objects.count() == 1 and Attendance.objects.count() == 3
    assert figures == recount(series.pk)


def test_check_in_written_by_raw_sql_is_counted():
    series = SeriesFactory()
    event = past_event(series)
    registrations = [RegistrationFactory(event=event) for _ in range(3)]
    for registration in registrations:
        checkin_raw(registration)
    assert tallies_catch_up() == {series.pk}
    assert tallies_read(series.pk)[("people", "")] == 3
    assert tallies_read(series.pk) == recount(series.pk)


def test_check_in_committed_late_with_lower_id_is_counted():
    """Ids are taken before commit: id 5002 can be visible before 5001. The cursor keeps 5001
    as a hole and reads it again."""
    series = SeriesFactory()
    event = past_event(series)
    first, late, last = (RegistrationFactory(event=event) for _ in range(3))
    checkin_raw(first, checkin_id=5000)
    checkin_raw(last, checkin_id=5002)
    tallies_catch_up()
    assert tallies_read(series.pk)[("people", "")] == 2
    assert set(Cursor.objects.get(name="checkin").holes) == {"5001"}
    checkin_raw(late, checkin_id=5001)
    tallies_catch_up()
    assert tallies_read(series.pk)[("people", "")] == 3
    assert Cursor.objects.get(name="checkin").holes == {}
    assert tallies_read(series.pk) == recount(series.pk)


def test_catch_up_twice_counts_nothing_twice():
    series = SeriesFactory()
    checkin_orm(RegistrationFactory(event=past_event(series)))
    tallies_catch_up()
    before = tallies_read(series.pk)
    Cursor.objects.filter(name="checkin").update(last_id=0)  # as if the run were repeated
    assert tallies_catch_up() == set()
    assert tallies_read(series.pk) == before


def test_earlier_offline_scan_moves_the_person_to_that_month():
    series = SeriesFactory()
    person = candidate()
    recent = past_event(series, days_ago=5)
    old = past_event(series, days_ago=70)
    checkin_orm(RegistrationFactory(event=recent, user=person))
    tallies_catch_up()
    checkin_orm(RegistrationFactory(event=old, user=person))  # uploaded later, happened earlier
    tallies_catch_up()
    figures = tallies_read(series.pk)
    assert figures[("people", "")] == 1
    assert figures[("people.event", str(old.pk))] == 1
    assert ("people.event", str(recent.pk)) not in figures
    assert figures[("people.month", month_of(old.starts_at + timedelta(minutes=5)))] == 1
    assert figures == recount(series.pk)


def test_profile_change_moves_the_origin_counters(django_capture_on_commit_callbacks):
    series = SeriesFactory()
    person = candidate(province="beijing", university_type="211")
    checkin_orm(RegistrationFactory(event=past_event(series), user=person))
    tallies_catch_up()
    with django_capture_on_commit_callbacks(execute=True):
        candidate_profile_save(user=person, data={"province": "shandong", "university_type": "institute"})
    figures = tallies_read(series.pk)
    assert figures[("people.province", "shandong")] == 1 and ("people.province", "beijing") not in figures
    assert figures[("people.unitype", "institute")] == 1
    assert figures == recount(series.pk)


def test_account_erasure_takes_the_person_out_of_the_counters():
    series = SeriesFactory()
    gone, stays = candidate(), candidate()
    event = past_event(series)
    checkin_orm(RegistrationFactory(event=event, user=gone))
    checkin_orm(RegistrationFactory(event=event, user=stays))
    tallies_catch_up()
    account_delete(user=gone)
    assert tallies_read(series.pk)[("people", "")] == 1
    assert tallies_read(series.pk) == recount(series.pk)


def test_scan_through_the_service_is_counted_on_commit(django_capture_on_commit_callbacks):
    series = SeriesFactory()
    now = timezone.now()
    from tests.factories import EventFactory

    event = EventFactory(
        series=series,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        registration_opens_at=now - timedelta(days=2),
        capacity=100,
    )
    registration = RegistrationFactory(event=event)
    code = ticket_code(ticket_for_registration(registration))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = checkin_perform(
            code=code, gate="东门", nonce="n1", scanned_at=None, scanner=Scanner(user=organizer(manages_all=True))
        )
    assert outcome.result == "ok"
    assert tallies_read(series.pk)[("people", "")] == 1  # no explicit catch-up: the nudge ran it


def test_projects_counted_by_month_source_and_district():
    series = SeriesFactory()
    laoshan = CompanyFactory(credit_code=district_code("370212"))
    project(series, company=laoshan)
    project(series, company=CompanyFactory(credit_code=district_code("110108")))  # Beijing: outside
    project(series)
    tallies_catch_up()
    figures = tallies_read(series.pk)
    assert figures[("projects", "")] == 3
    assert figures[("projects.district", "370212")] == 1
    assert figures[("projects.district", "")] == 2
    assert figures[("projects.source", "manual")] == 3
    assert figures == recount(series.pk)


def test_rebuild_equals_recount_and_the_incremental_counters():
    series = SeriesFactory()
    for days in (40, 12):
        event = past_event(series, days_ago=days)
        for _ in range(4):
            checkin_raw(RegistrationFactory(event=event))
    project(series)
    tallies_catch_up()
    incremental = tallies_read(series.pk)
    tallies_rebuild()
    assert tallies_read(series.pk) == incremental == recount(series.pk)


def test_targets_count_held_events_by_kind_only_when_over_and_not_cancelled():
    series = SeriesFactory(target_postdocs=8000)
    targets_default(series=series, actor=None)
    past_event(series, kind=Event.Kind.FAIR)
    past_event(series, kind=Event.Kind.FAIR, status=Event.Status.CANCELLED)
    past_event(series, kind=Event.Kind.MATCHMAKING)
    past_event(series, kind=Event.Kind.FAIR, days_ago=-5)  # not yet
    progress = {row["metric"] + row["param"]: row for row in public_figures(series)["targets"]}
    assert progress["fairs_held"]["value"] == 1 and progress["fairs_held"]["goal"] == 10
    assert progress["matchmaking_held"]["value"] == 1
    assert progress["people_reached"]["goal"] == 8000  # taken from the series' old field
