"""Shared by the console tests: messages, Beijing-time strings, one small event."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages

from events.services import registration_create

from ..factories import EventFactory, SessionFactory, candidate, organizer, team_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCAL = "%Y-%m-%dT%H:%M"


def flash(response) -> list[str]:
    """The messages this response set; dropped from the client so the next call starts empty."""
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return shown


def local(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime(LOCAL)


@pytest.fixture
def setup():
    """A published one-seat event: one confirmed, one waiting; a session; an editor on the team."""
    event = EventFactory(capacity=1)
    session = SessionFactory(event=event)
    first = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    editor = organizer()
    member = team_member(event, editor)
    return event, first, waiting, session, editor, member
