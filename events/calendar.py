"""iCalendar (.ics) for events and sessions: one event's file, a person's feed, the programme feed.

Calendar apps recognise an entry by its UID and take a higher SEQUENCE as an update of it, so:
UIDs are fixed per event and per session (never reused), SEQUENCE comes from the
`calendar_sequence` the services raise on every change, a cancelled event stays in the
feeds with STATUS:CANCELLED (apps strike it out instead of silently losing it), and times
carry the Asia/Shanghai zone with its VTIMEZONE so apps anywhere show Beijing time right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from .models import CalendarFeed, Event, Registration, Session

ZONE = "Asia/Shanghai"
UID_DOMAIN = "boju"
PRODID = "-//Boju//Qingdao postdoc programme//ZH"
MIME = "text/calendar; charset=utf-8"
# Keep past items this long in the feeds, so a calendar does not drop what just happened.
PAST_KEPT = timedelta(days=30)
FEED_REFRESH = timedelta(hours=1)

# Later apps (matchmaking meetings) add their entries to a person's feed: fn(user) -> [VEVENT].
PersonalProvider = Callable[[object], list[VEvent]]
_personal_providers: list[PersonalProvider] = []


def personal_feed_register(provider: PersonalProvider) -> None:
    if provider not in _personal_providers:
        _personal_providers.append(provider)


def event_uid(event_id: int) -> str:
    return f"event-{int(event_id)}@{UID_DOMAIN}"


def session_uid(session_id: int) -> str:
    return f"session-{int(session_id)}@{UID_DOMAIN}"


def _site_url() -> str:
    return getattr(settings, "BOJU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


@lru_cache(maxsize=1)
def _timezone() -> Timezone:
    # From 2000 on: Beijing time has had no daylight saving since 1991, so one STANDARD block.
    # Built once per process and shared by every calendar (nothing changes a component after it
    # is added): icalendar derives it from the zone's transitions, which was a tenth of the
    # Celery worker's CPU per confirmation mail under a registration burst.
    return Timezone.from_tzid(ZONE, first_date=date(2000, 1, 1), last_date=date(2040, 1, 1))


def _calendar(name: str, *, feed: bool = False) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", ZONE)
    if feed:
        # How often a subscribed calendar should fetch again (RFC 7986; the X- one for Outlook).
        cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    cal.add_component(_timezone())
    return cal


def _place(event: Event) -> str:
    if event.mode == Event.Mode.ONLINE:
        return _("线上")
    return " ".join(part for part in [event.city, event.venue, event.address] if part)


def _local(moment):
    return timezone.localtime(moment, timezone=timezone.get_default_timezone())


def event_component(event: Event, *, show_link: bool = False) -> VEvent:
    """One event as a VEVENT. `show_link`: the online meeting link, only for people with a seat."""
    url = _site_url() + event.get_absolute_url()
    item = VEvent()
    item.add("uid", event_uid(event.pk))
    item.add("sequence", event.calendar_sequence)
    item.add("dtstamp", timezone.now())
    item.add("last-modified", event.updated_at)
    item.add("dtstart", _local(event.starts_at))
    item.add("dtend", _local(event.ends_at))
    item.add("summary", event.title)
    item.add("location", _place(event))
    lines = [event.summary] if event.summary else []
    if show_link and event.online_url and event.mode != Event.Mode.OFFLINE:
        lines.append(_("线上链接：%(url)s") % {"url": event.online_url})
    lines.append(url)
    item.add("description", "\n".join(lines))
    item.add("url", url)
    item.add("categories", [str(event.get_kind_display())])
    cancelled = event.status == Event.Status.CANCELLED
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return item


def session_component(session: Session) -> VEvent:
    event = session.event
    item = VEvent()
    item.add("uid", session_uid(session.pk))
    # The event's sequence is part of it: cancelling the event changes every session's status.
    item.add("sequence", session.calendar_sequence + event.calendar_sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", _local(session.starts_at))
    item.add("dtend", _local(session.ends_at))
    item.add("summary", f"{session.title} · {event.title}")
    # The room and speaker entities when the session has them, else the old free text.
    item.add("location", " ".join(p for p in [_place(event), session.room_label] if p))
    speakers = session.speaker_names
    details = [p for p in [speakers and _("主讲：") + speakers, session.description] if p]
    details.append(_site_url() + event.get_absolute_url())
    item.add("description", "\n".join(details))
    item.add("related-to", event_uid(event.pk))
    item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return item


def event_ics(event: Event, *, show_link: bool = False) -> bytes:
    cal = _calendar(event.title)
    cal.add_component(event_component(event, show_link=show_link))
    return cal.to_ical()


def event_ics_filename(event: Event) -> str:
    return f"boju-event-{event.pk}.ics"


def programme_ics(events: Iterable[Event], *, name: str) -> bytes:
    cal = _calendar(name, feed=True)
    for event in events:
        cal.add_component(event_component(event))
    return cal.to_ical()


def programme_events(kinds: list[str] | None = None):
    events = Event.objects.visible().filter(ends_at__gte=timezone.now() - PAST_KEPT)
    if kinds:
        events = events.filter(kind__in=kinds)
    return events.order_by("starts_at", "id")


def personal_ics(user) -> bytes:
    """The person's seats (confirmed registrations), the sessions of those events, and whatever
    other apps add (meetings). Cancelled events stay, marked CANCELLED; a cancelled registration
    leaves the feed."""
    registrations = (
        Registration.objects.filter(
            user=user,
            status=Registration.Status.CONFIRMED,
            event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            event__ends_at__gte=timezone.now() - PAST_KEPT,
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )
    events = [r.event for r in registrations]
    cal = _calendar(_("我的博聚日程"), feed=True)
    for event in events:
        cal.add_component(event_component(event, show_link=True))
    from .speakers.selectors import sessions_with_people

    sessions = sessions_with_people(Session.objects.filter(event__in=events).select_related("event")).order_by(
        "starts_at", "id"
    )
    for session in sessions:
        cal.add_component(session_component(session))
    for provider in _personal_providers:
        for component in provider(user):
            cal.add_component(component)
    return cal.to_ical()


def calendar_feed_rotate(*, user) -> CalendarFeed:
    """Give `user` a new secret feed URL; the previous one (if any) stops working at once.

    Side effect: an audit entry (the URL is a credential; its replacement is worth a trace).
    """
    import secrets

    from django.db import transaction

    from accounts.services import audit_log

    from .models import CalendarFeed

    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
        audit_log(actor=user, action="calendar_feed.create" if created else "calendar_feed.rotate", target=feed)
    return feed
