"""Who of an event is checked in, for organizers' announcements ("to those on site").

notifications imports no other app, so checkin lends it this segment in ready(). A person
counts while their registration is still confirmed and any of its check-ins is recorded
(whole event or one session).
"""

from __future__ import annotations

from .models import Checkin


def _checked_in(event_id: int):
    return Checkin.objects.filter(ticket__event_id=event_id, ticket__registration__status="confirmed")


def checked_in_user_ids(event_id: int) -> list[int]:
    return sorted(set(_checked_in(event_id).values_list("ticket__registration__user_id", flat=True)))


def is_checked_in(event_id: int, user_id: int) -> bool:
    return _checked_in(event_id).filter(ticket__registration__user_id=user_id).exists()
