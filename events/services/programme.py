"""The organizer console's writes: series, events, sessions, teams, publish and cancel."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import audit_log
from notifications.live import access_changed

from .. import notices
from ..models import Event, EventTeamMember, Series, Session
from ..permissions import event_can_edit
from .errors import EventError
from .live import schedule_seats_push
from .registration import _lock_event, registration_fill_after_capacity_change


def _ensure_organizer(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_organizer:
        raise EventError("forbidden")


def _apply(instance, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(instance, field, value)
    try:
        instance.full_clean()
    except ValidationError as error:
        raise EventError("invalid", detail="; ".join(error.messages)) from error


def series_save(*, actor: User, data: dict[str, Any], series: Series | None = None) -> Series:
    _ensure_organizer(actor)
    with transaction.atomic():
        series = series or Series()
        created = series.pk is None
        _apply(series, data)
        series.save()
        audit_log(actor=actor, action="series.create" if created else "series.update", target=series)
    return series


def series_actions_audit(*, actor, series, formset) -> None:
    """One audit entry per action a series formset added, changed or deleted (the console's
    series page and the admin save actions this way)."""
    for obj in formset.new_objects:
        audit_log(actor=actor, action="series.action_create", target=obj, data={"series": series.pk})
    for obj, changed in formset.changed_objects:
        audit_log(
            actor=actor,
            action="series.action_update",
            target=obj,
            data={"series": series.pk, "changed": sorted(changed)},
        )
    for obj in formset.deleted_objects:
        audit_log(
            actor=actor,
            action="series.action_delete",
            target=series,
            data={"action": obj.pk, "number": obj.number, "title": obj.title},
        )


def event_create(*, actor: User, data: dict[str, Any]) -> Event:
    """A new draft event; its creator joins the event's team with every right."""
    _ensure_organizer(actor)
    with transaction.atomic():
        event = Event(created_by=actor, status=Event.Status.DRAFT)
        _apply(event, data)
        event.save()
        EventTeamMember.objects.create(event=event, user=actor, can_edit=True, can_scan=True)
        audit_log(actor=actor, action="event.create", target=event)
    return event


def event_update(*, event: Event, actor: User, data: dict[str, Any]) -> Event:
    """Change an event. More seats go to the waiting list at once.

    On commit: the new seat figures are pushed live.
    """
    with transaction.atomic():
        event = _lock_event(event.pk)
        if not event_can_edit(actor, event):
            raise EventError("forbidden")
        before = {field: getattr(event, field) for field in data}
        _apply(event, data)
        event.save()
        changed = sorted(f for f in data if before[f] != getattr(event, f))
        if any(f in notices.CALENDAR_FIELDS for f in changed):
            # Calendars take the entry as an update only if its SEQUENCE went up.
            event.calendar_sequence += 1
            Event.objects.filter(pk=event.pk).update(calendar_sequence=event.calendar_sequence)
            notices.schedule_changed(event, before, changed)
        promoted = registration_fill_after_capacity_change(event=event) if "capacity" in changed else []
        audit_log(
            actor=actor,
            action="event.update",
            target=event,
            data={"changed": changed, "promoted": [r.pk for r in promoted]},
        )
        schedule_seats_push(event)
    return event


def _set_status(*, event: Event, actor: User, status: str) -> Event:
    with transaction.atomic():
        event = _lock_event(event.pk)
        if not event_can_edit(actor, event):
            raise EventError("forbidden")
        if event.status == Event.Status.CANCELLED:
            raise EventError("already_cancelled" if status == Event.Status.CANCELLED else "cannot_publish")
        event.status = status
        if status == Event.Status.CANCELLED:
            event.calendar_sequence += 1  # STATUS:CANCELLED is an update of the same entry
        event.save(update_fields=["status", "calendar_sequence", "updated_at"])
        audit_log(actor=actor, action=f"event.{status}", target=event)
        schedule_seats_push(event)
        if status == Event.Status.CANCELLED:
            notices.schedule_event_cancelled(event)
    return event


def event_publish(*, event: Event, actor: User) -> Event:
    return _set_status(event=event, actor=actor, status=Event.Status.PUBLISHED)


def event_cancel(*, event: Event, actor: User) -> Event:
    """Cancel the event. Registrations are kept so people can be told (notifications issue)."""
    return _set_status(event=event, actor=actor, status=Event.Status.CANCELLED)


def session_save(*, event: Event, actor: User, data: dict[str, Any], session: Session | None = None) -> Session:
    if not event_can_edit(actor, event):
        raise EventError("forbidden")
    with transaction.atomic():
        session = session or Session(event=event)
        if session.event_id != event.pk:
            raise EventError("forbidden")
        created = session.pk is None
        data = dict(data)
        # The speakers are a many-to-many with an order: set after the row exists, not by setattr.
        presenters = list(data.pop("presenters")) if "presenters" in data else None
        before = {field: getattr(session, field) for field in data}
        speakers_before = [s.pk for s in session.speaker_list()] if presenters is not None else None
        _apply(session, data)
        changed = any(before[field] != getattr(session, field) for field in data) or (
            presenters is not None and speakers_before != [p.pk for p in presenters]
        )
        if not created and changed:
            session.calendar_sequence += 1
        session.save()
        if presenters is not None:
            from ..speakers.services import session_speakers_set

            session_speakers_set(session, presenters)
        audit_log(
            actor=actor,
            action="session.create" if created else "session.update",
            target=session,
            data={"event": event.pk},
        )
    return session


def session_delete(*, session: Session, actor: User) -> None:
    if not event_can_edit(actor, session.event):
        raise EventError("forbidden")
    with transaction.atomic():
        audit_log(actor=actor, action="session.delete", target=session.event, data={"session": session.title})
        session.delete()


def team_member_set(
    *, event: Event, actor: User, member: User, can_edit: bool, can_scan: bool
) -> EventTeamMember | None:
    """Add, change or (with neither right) remove an organizer on the event's team."""
    if not event_can_edit(actor, event) or not member.is_organizer:
        raise EventError("forbidden")
    with transaction.atomic():
        # Their open sockets re-check what they may hear (a removed partner stops getting the
        # staff topic's attendee names at once, issue 13).
        transaction.on_commit(partial(access_changed, member.pk))
        if not (can_edit or can_scan):
            EventTeamMember.objects.filter(event=event, user=member).delete()
            audit_log(actor=actor, action="team.remove", target=event, data={"user": member.pk})
            return None
        entry, _created = EventTeamMember.objects.update_or_create(
            event=event, user=member, defaults={"can_edit": can_edit, "can_scan": can_scan}
        )
        audit_log(
            actor=actor,
            action="team.set",
            target=event,
            data={"user": member.pk, "can_edit": can_edit, "can_scan": can_scan},
        )
    return entry
