"""Reads used in more than one place: seat figures, snapshots, the programme listing."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Event, Registration

Status = Registration.Status


def with_seat_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def seats_payload(event: Event, counts: tuple[int, int] | None = None) -> dict:
    """The public, person-free seat figures of one event; `counts` (confirmed, waitlisted)
    when the caller has just counted them under the event lock."""
    if counts is None:
        totals = event.registrations.aggregate(
            confirmed=Count("id", filter=Q(status=Status.CONFIRMED)),
            waitlisted=Count("id", filter=Q(status=Status.WAITLISTED)),
        )
        counts = (totals["confirmed"], totals["waitlisted"])
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


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting, None when not waiting."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, id__lt=registration.id)
    )
    return ahead.count() + 1


def active_registration(event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return event.registrations.active().filter(user=user).first()


def event_snapshot(event: Event, user) -> dict:
    """What a (re)connecting event page needs: seat figures plus the viewer's own standing."""
    snapshot = seats_payload(event)
    registration = active_registration(event, user)
    snapshot["me"] = (
        {"registration": registration.pk, "status": registration.status, "position": waitlist_position(registration)}
        if registration
        else None
    )
    return snapshot


def programme_events(*, user=None) -> QuerySet[Event]:
    """Published and cancelled upcoming events with seat counts, for the programme home."""
    return with_seat_counts(Event.objects.visible().upcoming().select_related("series", "action"))


def user_registrations(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__series")
        .order_by("event__starts_at", "id")
    )


def personal_data_export(user) -> dict:
    return {
        "registrations": [
            {
                "event": r.event.title,
                "event_id": r.event_id,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
            }
            for r in user_registrations(user)
        ]
    }
