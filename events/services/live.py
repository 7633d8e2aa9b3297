"""What the events app pushes live, always after commit (DESIGN §5.4)."""

from __future__ import annotations

from django.db import transaction

from notifications import live

from ..models import Event, Registration
from ..seats import seats_payload


def schedule_seats_push(event: Event, counts: tuple[int, int] | None = None) -> None:
    """Push the event's seat figures once the transaction commits.

    The payload is computed now, under the event lock, so its `version` orders it exactly
    against every other change; pages drop payloads older than what they already show.
    """
    payload = seats_payload(event, counts=counts)
    group = live.group_event_public(event.pk)
    transaction.on_commit(lambda: live.publish_latest(group, payload, order=payload["version"]))


def schedule_user_push(registration: Registration) -> None:
    """Tell the registration's owner (all their open pages) that their status changed."""
    payload = user_push_payload(registration)
    group = live.group_user(registration.user_id)
    transaction.on_commit(lambda: live.publish(group, payload))


def user_push_payload(registration: Registration) -> dict:
    return {
        "type": "registration.changed",
        "event": registration.event_id,
        "registration": registration.pk,
        "status": registration.status,
    }
