"""The public seat figures of an event: what its page shows and what is pushed live.

Below selectors.py and services/live.py, which both use it (a registration's service pushes it,
the selectors' snapshot reads it): neither has to import the other.
"""

from __future__ import annotations

from .models import Event


def seats_payload(event: Event, counts: tuple[int, int] | None = None) -> dict:
    """The public, person-free seat figures of one event; `counts` (confirmed, waitlisted)
    when the caller has just counted them under the event lock."""
    if counts is None:
        counts = (event.seats_confirmed, event.seats_waitlisted)
    confirmed, waitlisted = counts
    return {
        "type": "event.seats",
        "event": event.pk,
        "version": event.registration_version,
        "status": event.status,
        "capacity": event.capacity,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "seats_left": max(0, event.capacity - confirmed),
        "waitlist_enabled": event.waitlist_enabled,
    }
