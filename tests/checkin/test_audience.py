"""The "checked in" announcement segment that checkin lends notifications."""

import pytest

from checkin.services import Scanner, checkin_perform
from events.services import registration_cancel
from notifications import announcements
from tests.factories import organizer, team_member

from .helpers import nonce, open_event, ticket_and_code

pytestmark = pytest.mark.django_db


def test_checked_in_segment_holds_exactly_those_checked_in_with_a_live_seat():
    event = open_event()
    staff = organizer()
    team_member(event, staff, can_edit=False, can_scan=True)
    arrived, code = ticket_and_code(event)
    absent, _ = ticket_and_code(event)
    left, left_code = ticket_and_code(event)
    for c in (code, left_code):
        assert (
            checkin_perform(code=c, gate="东门", nonce=nonce(), scanned_at=None, scanner=Scanner(user=staff)).result
            == "ok"
        )
    registration_cancel(registration=left.registration, actor=left.registration.user)

    segment = announcements._targets["event"].segments["checked_in"]
    assert segment.resolve(event.pk) == [arrived.registration.user_id]
    assert segment.member(event.pk, arrived.registration.user_id) is True
    assert segment.member(event.pk, absent.registration.user_id) is False
    assert segment.member(event.pk, left.registration.user_id) is False
