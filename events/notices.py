"""What the events app tells people, and what it lends the notifications app.

notifications imports no other app (DESIGN §2), so events declares here: its notification
kinds, the .ics attachment of its e-mails, the reminder source (events and sessions people
have a seat for) and the "event" announcement target with its segments. EventsConfig.ready()
calls `register()`; importing this module registers nothing.

Messages are composed from data read under the event lock and handed over after the
transaction commits (`notify_later`: a Celery task, inline on the embedded default), so the
lock is never held while a notification is rendered and written, a registration request
does not wait for it, and a rolled-back registration sends nothing.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.announcements import announcement_segment_register, announcement_target_register
from notifications.attachments import attachment_provider_register
from notifications.kinds import kind_register
from notifications.reminders import Upcoming, reminder_source_register
from notifications.services import notify_later

from .models import Event, Registration, Session

# What people are told about when it changes (the issue: time, place, online link).
NOTIFIED_FIELDS = ("starts_at", "ends_at", "mode", "city", "venue", "address", "online_url")
# What calendar entries show: a change to any of these raises the event's SEQUENCE.
CALENDAR_FIELDS = (*NOTIFIED_FIELDS, "title", "summary")
FIELD_LABELS = {
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "mode": _("形式"),
    "city": _("城市"),
    "venue": _("场馆"),
    "address": _("地址"),
    "online_url": _("线上链接"),
}


def _msgid(label) -> str:
    """The source (Chinese) text of a lazy label: templates translate it with {% translate var %}."""
    with translation.override(None):
        return str(label)


def _local(moment):
    return timezone.localtime(moment, timezone=timezone.get_default_timezone())


def when_text(starts, ends) -> str:
    starts, ends = _local(starts), _local(ends)
    if starts.date() == ends.date():
        return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"
    return f"{starts:%Y-%m-%d %H:%M} – {ends:%Y-%m-%d %H:%M}"


def place_text(event: Event) -> str:
    return " ".join(p for p in [event.city, event.venue, event.address] if p) if event.mode != Event.Mode.ONLINE else ""


def event_context(event: Event, *, with_link: bool = False) -> dict:
    """Plain data about an event for any message: ids and strings only."""
    context = {
        "event_id": event.pk,
        "title": event.title,
        "when": when_text(event.starts_at, event.ends_at),
        "where": place_text(event),
        "mode": event.mode,
        "mode_label": _msgid(Event.Mode(event.mode).label),
        "kind_label": _msgid(Event.Kind(event.kind).label),
        "url": event.get_absolute_url(),
    }
    if with_link and event.mode != Event.Mode.OFFLINE and event.online_url:
        context["online_url"] = event.online_url
    return context


# --- registrations ----------------------------------------------------------------------------


def schedule_registered(registration: Registration, event: Event, *, position: int | None) -> None:
    """Confirmed (with QR + .ics) or waitlisted (with the place), after commit."""
    kind, context = registered_notice(registration, event, position=position)
    notify_later(user_ids=[registration.user_id], kind=kind, context=context)


def registered_notice(registration: Registration, event: Event, *, position: int | None) -> tuple[str, dict]:
    """The notice's kind and context for a new registration (also the fast lane's outbox row)."""
    if registration.status == Registration.Status.CONFIRMED:
        kind, context = "registration.confirmed", event_context(event, with_link=True)
    else:
        kind, context = "registration.waitlisted", {**event_context(event), "position": position}
    context["registration_id"] = registration.pk
    return kind, context


def schedule_promoted(registrations: list[Registration], event: Event) -> None:
    base = event_context(event, with_link=True)
    for registration in registrations:
        context = {**base, "registration_id": registration.pk}
        notify_later(user_ids=[registration.user_id], kind="registration.promoted", context=context)


def schedule_cancelled(registration: Registration, event: Event, *, actor) -> None:
    by_organizer = actor.pk != registration.user_id
    context = {**event_context(event), "registration_id": registration.pk, "by_organizer": by_organizer}
    notify_later(user_ids=[registration.user_id], kind="registration.cancelled", context=context)


# --- event changes ----------------------------------------------------------------------------


def _display(event: Event, field: str, value) -> str:
    if value in (None, ""):
        return ""
    if field in ("starts_at", "ends_at"):
        return f"{_local(value):%Y-%m-%d %H:%M}"
    if field == "mode":
        return _msgid(Event.Mode(value).label)
    return str(value)


def schedule_changed(event: Event, before: dict, changed: list[str]) -> None:
    """Tell everyone registered (seat or waiting list) what changed: time, place, link.

    Called under the event lock with the field values before the change; the recipients and
    the message are settled now, the writes happen after commit. Seat holders see the new
    online link, the waiting list only that it changed.
    """
    fields = [f for f in NOTIFIED_FIELDS if f in changed]
    if not fields or event.status != Event.Status.PUBLISHED:
        return
    changes = [
        {
            "field": f,
            "label": _msgid(FIELD_LABELS[f]),
            "old": _display(event, f, before.get(f)),
            "new": _display(event, f, getattr(event, f)),
        }
        for f in fields
    ]
    rows = list(event.registrations.active().values_list("user_id", "status"))
    for status, with_link in ((Registration.Status.CONFIRMED, True), (Registration.Status.WAITLISTED, False)):
        user_ids = [uid for uid, s in rows if s == status]
        if not user_ids:
            continue
        shown = [
            c if with_link or c["field"] != "online_url" else {**c, "old": "", "new": "", "hidden": True}
            for c in changes
        ]
        context = {
            **event_context(event, with_link=with_link),
            "changes": shown,
            "seat": with_link,
            "sequence": event.calendar_sequence,
        }
        notify_later(user_ids=user_ids, kind="event.changed", context=context)


def schedule_event_cancelled(event: Event) -> None:
    rows = list(event.registrations.active().values_list("user_id", "status"))
    for seat in (True, False):
        user_ids = [uid for uid, status in rows if (status == Registration.Status.CONFIRMED) == seat]
        if user_ids:
            context = {**event_context(event), "sequence": event.calendar_sequence, "seat": seat}
            notify_later(user_ids=user_ids, kind="event.cancelled", context=context)


# --- what events lends notifications ------------------------------------------------------------


def ics_attachment(*, user_id: int, context: dict) -> list[tuple[str, bytes, str]]:
    """The event's .ics as it is now (current SEQUENCE and STATUS), for the e-mail."""
    from .calendar import MIME, event_ics, event_ics_filename

    event = Event.objects.filter(pk=context.get("event_id")).first()
    if event is None:
        return []
    # Only for people with a seat: the waiting list has nothing in their calendar to update.
    if not Registration.objects.filter(event=event, user_id=user_id, status=Registration.Status.CONFIRMED).exists():
        return []
    return [(event_ics_filename(event), event_ics(event, show_link=True), MIME)]


def _confirmed_user_ids(event_ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    rows = Registration.objects.filter(event_id__in=list(event_ids), status=Registration.Status.CONFIRMED)
    for event_id, user_id in rows.values_list("event_id", "user_id"):
        out.setdefault(event_id, []).append(user_id)
    return out


def upcoming_for_reminders(starts_from, starts_until):
    """Events starting soon, to their seat holders; and sessions on the later days of a
    multi-day event (the first day's sessions are covered by the event's own reminder)."""
    events = list(Event.objects.published().filter(starts_at__gte=starts_from, starts_at__lt=starts_until))
    seats = _confirmed_user_ids(e.pk for e in events)
    for event in events:
        yield Upcoming(
            key=f"event:{event.pk}",
            kind="reminder.event",
            starts_at=event.starts_at,
            user_ids=seats.get(event.pk, []),
            context=event_context(event, with_link=True),
        )
    sessions = list(
        Session.objects.filter(
            starts_at__gte=starts_from, starts_at__lt=starts_until, event__status=Event.Status.PUBLISHED
        ).select_related("event", "place")
    )
    sessions = [s for s in sessions if _local(s.starts_at).date() > _local(s.event.starts_at).date()]
    seats = _confirmed_user_ids({s.event_id for s in sessions})
    for session in sessions:
        context = {
            **event_context(session.event, with_link=True),
            "session_id": session.pk,
            "session_title": session.title,
            "session_when": when_text(session.starts_at, session.ends_at),
            "room": session.room_label,
        }
        yield Upcoming(
            key=f"session:{session.pk}",
            kind="reminder.session",
            starts_at=session.starts_at,
            user_ids=seats.get(session.event_id, []),
            context=context,
        )


def _may_announce(user, event_id: int) -> bool:
    from .permissions import event_can_edit

    event = Event.objects.filter(pk=event_id).first()
    return event is not None and event.status != Event.Status.DRAFT and event_can_edit(user, event)


def _describe(event_id: int) -> dict | None:
    event = Event.objects.filter(pk=event_id).first()
    return {"title": event.title, "url": event.get_absolute_url()} if event else None


def _audit(actor, announcement) -> None:
    from accounts.services import audit_log

    event = Event.objects.get(pk=int(announcement.target.split(":")[1]))
    audit_log(
        actor=actor,
        action="announcement.send",
        target=event,
        data={"announcement": announcement.pk, "segment": announcement.segment, "recipients": announcement.recipients},
    )


def _segment(status):
    def resolve(event_id: int) -> list[int]:
        return list(Registration.objects.filter(event_id=event_id, status=status).values_list("user_id", flat=True))

    def member(event_id: int, user_id: int) -> bool:
        return Registration.objects.filter(event_id=event_id, user_id=user_id, status=status).exists()

    return {"resolve": resolve, "member": member}


def register() -> None:
    kinds = [
        ("registration.confirmed", _("报名成功（含电子票和日历文件）"), 10),
        ("registration.waitlisted", _("进入候补名单"), 11),
        ("registration.promoted", _("候补转正"), 12),
        ("registration.cancelled", _("报名取消"), 13),
        ("reminder.event", _("活动开始前提醒（24 小时、2 小时）"), 20),
        ("reminder.session", _("日程开始前提醒（多日活动）"), 21),
        ("event.changed", _("活动时间、地点或链接变更"), 30),
        ("event.cancelled", _("活动取消"), 31),
    ]
    for key, label, order in kinds:
        kind_register(key, label=label, audience="candidate", order=order)
    for key in ("registration.confirmed", "registration.promoted", "event.changed", "event.cancelled"):
        attachment_provider_register(key, ics_attachment)
    reminder_source_register(upcoming_for_reminders)
    announcement_target_register("event", may_announce=_may_announce, describe=_describe, audit=_audit)
    announcement_segment_register(
        "event", "registered", label=_("已报名（名额已确认）"), order=10, **_segment(Registration.Status.CONFIRMED)
    )
    announcement_segment_register(
        "event", "waitlisted", label=_("候补中"), order=30, **_segment(Registration.Status.WAITLISTED)
    )
