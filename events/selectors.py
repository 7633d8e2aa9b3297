"""Reads used in more than one place: seat figures, snapshots, the programme listing."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import AuditEntry

from .models import CalendarFeed, Event, Registration, Session
from .permissions import events_editable_by
from .seats import seats_payload

Status = Registration.Status


def with_seat_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    # The counters on the row (kept under the event lock): no join, no count per list page.
    return queryset.annotate(confirmed_count=F("seats_confirmed"), waitlisted_count=F("seats_waitlisted"))


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
    data = {
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
    from .questions.selectors import personal_answers

    answers = personal_answers(user)
    if answers:
        data["registration_answers"] = answers
    # The personal calendar link is a secret (it opens the person's programme): the export says
    # that one exists and since when, never the token itself.
    feed = CalendarFeed.objects.filter(user=user).only("created_at").first()
    if feed is not None:
        data["calendar_feed"] = {"subscription_link": True, "created_at": feed.created_at.isoformat()}
    return data


def console_registrations(event: Event, *, status: str = "", q: str = "") -> QuerySet[Registration]:
    """The organizer's registration list, filtered; one query whatever the number of rows.

    Confirmed first, then the waiting list in its order, then cancelled; each in sign-up order.
    """
    rows = Registration.objects.filter(event=event).select_related("user", "user__candidate_profile")
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(
            Q(user__email__icontains=q)
            | Q(user__name__icontains=q)
            | Q(user__candidate_profile__full_name__icontains=q)
            | Q(user__candidate_profile__institution__icontains=q)
        )
    rank = Case(
        When(status=Status.CONFIRMED, then=0),
        When(status=Status.WAITLISTED, then=1),
        default=2,
        output_field=IntegerField(),
    )
    return rows.order_by(rank, "created_at", "id")


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id -> place on the waiting list, for the whole list in one query."""
    ids = event.registrations.waitlisted().order_by("created_at", "id").values_list("id", flat=True)
    return {pk: place for place, pk in enumerate(ids, start=1)}


def waitlist_places(event: Event, registration_ids: list[int]) -> dict[int, int]:
    """Place on the waiting list of just these registrations (a page of them), in one query that
    sends back only their rows, however long the waiting list is."""
    if not registration_ids:
        return {}
    table = Registration._meta.db_table
    marks = ", ".join(["%s"] * len(registration_ids))
    sql = (
        f"SELECT id, place FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS place "
        f"FROM {table} WHERE event_id = %s AND status = %s) ranked WHERE id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, Status.WAITLISTED, *registration_ids])
        return dict(cursor.fetchall())


def console_events(user) -> tuple[QuerySet[Event], QuerySet[Event]]:
    """The events `user` may edit with seat counts: (not yet ended, soonest first; ended, latest first)."""
    # Through a pk subquery: the permission filter's team join must not multiply the counts.
    editable = Event.objects.filter(pk__in=events_editable_by(user).values("pk"))
    base = with_seat_counts(editable.select_related("series", "action"))
    now = timezone.now()
    return (
        base.filter(ends_at__gte=now).order_by("starts_at", "id"),
        base.filter(ends_at__lt=now).order_by("-starts_at", "-id"),
    )


def event_audit_entries(event: Event) -> QuerySet[AuditEntry]:
    """Audit entries about the event, its registrations and its sessions, newest first."""
    from .questions.models import Question

    types = ContentType.objects.get_for_models(Event, Registration, Session, Question)
    registration_ids = (
        Registration.objects.filter(event=event).annotate(key=Cast("id", output_field=CharField())).values("key")
    )
    return (
        AuditEntry.objects.filter(
            Q(target_type=types[Event], target_id=str(event.pk))
            | Q(target_type=types[Registration], target_id__in=registration_ids)
            | Q(target_type=types[Session], data__event=event.pk)
            | Q(target_type=types[Question], data__event=event.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# --- The public pages (programme home, event page, "my events") ---------------------------


def registration_obstacle(event: Event, user) -> tuple[str, str] | None:
    """Why the viewer cannot register right now, as (code, translated sentence), or None.

    Runs the service's own checks, so the page explains itself with the very words the
    service would use; registration_create stays the authority (it re-checks under the lock).
    Anonymous visitors get only the event-level reasons (they are offered a login instead).
    """
    from .services.errors import RegistrationError
    from .services.registration import ensure_candidate, ensure_open

    try:
        ensure_open(event, timezone.now())
        if user.is_authenticated:
            ensure_candidate(event, user)
    except RegistrationError as error:
        return error.code, str(error.message)
    return None


def user_event_statuses(user, event_ids) -> dict[int, str]:
    """Event id -> the viewer's active registration status, in one query (cards' badges)."""
    if not user.is_authenticated or not user.is_candidate:
        return {}
    rows = Registration.objects.active().filter(user=user, event_id__in=list(event_ids))
    return dict(rows.values_list("event_id", "status"))


def user_registrations_with_positions(user) -> QuerySet[Registration]:
    """The person's registrations with `position` (place on the waiting list, else None).

    The place is a correlated count, so "my events" is one query however many rows it has.
    """
    ahead = (
        Registration.objects.filter(event_id=OuterRef("event_id"), status=Status.WAITLISTED)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
        .order_by()
        .values("event_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__series", "event__action")
        .annotate(
            position=Case(
                When(status=Status.WAITLISTED, then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by("event__starts_at", "id")
    )


def registration_answers_by_key(event: Event, registration_ids: list[int]) -> dict[int, dict]:
    """Registration id -> {question id (as text): typed answer} for the API; one query, none at
    all for an event without questions."""
    if not event.has_questions:
        return {}
    from .questions.selectors import answer_values

    return answer_values(registration_ids)
