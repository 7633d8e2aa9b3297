"""events.permissions, case by case: who may edit an event and who may scan its tickets (the
scanner and the console check these on every object)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import EventTeamMember
from events.permissions import event_can_edit, event_can_scan, events_editable_by

from ..factories import EventFactory, candidate, organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()


def member(event, *, can_edit, can_scan, user=None):
    user = user or organizer()
    EventTeamMember.objects.create(event=event, user=user, can_edit=can_edit, can_scan=can_scan)
    return user


@pytest.mark.parametrize(
    "can_edit, can_scan, edits, scans",
    [
        (True, True, True, True),
        (True, False, True, True),  # an editor may always scan
        (False, True, False, True),
        (False, False, False, False),
    ],
)
def test_a_team_member_may_what_the_row_says(event, can_edit, can_scan, edits, scans):
    user = member(event, can_edit=can_edit, can_scan=can_scan)
    assert (event_can_edit(user, event), event_can_scan(user, event)) == (edits, scans)
    assert list(events_editable_by(user)) == ([event] if edits else [])


def test_membership_of_another_event_or_of_another_person_gives_nothing(event):
    other_event = EventFactory()
    elsewhere = member(other_event, can_edit=True, can_scan=True)
    member(event, can_edit=True, can_scan=True)  # someone else on this event's team
    assert not event_can_edit(elsewhere, event) and not event_can_scan(elsewhere, event)
    assert list(events_editable_by(elsewhere)) == [other_event]


def test_an_organizer_who_manages_all_events_may_everything_without_a_team_row(event):
    boss = organizer(manages_all=True)
    assert event_can_edit(boss, event) and event_can_scan(boss, event)
    assert set(events_editable_by(boss)) == {event}


def test_nobody_else_may_anything(event):
    stranger = organizer()
    # A candidate on the team (a stale row from an earlier role) is still not an organizer.
    former = member(event, can_edit=True, can_scan=True, user=candidate())
    inactive_boss = organizer(manages_all=True, is_active=False)
    for user in (AnonymousUser(), stranger, former, inactive_boss):
        assert not event_can_edit(user, event), user
        assert not event_can_scan(user, event), user
        assert list(events_editable_by(user)) == [], user
