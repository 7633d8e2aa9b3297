"""Meetings in people's calendars: one VEVENT per meeting (UID meeting-<id>@boju, stable; the
meeting's `sequence` raised on every move or cancellation), in the personal webcal feed of
events.calendar, as an .ics attachment of the meeting's e-mails, and as a reminder source."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event as VEvent

from events.calendar import MIME, PAST_KEPT, _calendar, _local, _site_url, event_uid

from .models import ACTIVE, Meeting


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{int(meeting_id)}@boju"


def meeting_component(meeting: Meeting, *, for_company: bool) -> VEvent:
    item = VEvent()
    item.add("uid", meeting_uid(meeting.pk))
    item.add("sequence", meeting.sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", _local(meeting.slot.starts_at))
    item.add("dtend", _local(meeting.slot.ends_at))
    other = meeting.candidate.display_name if for_company else meeting.company.name
    item.add("summary", _("洽谈：%(other)s") % {"other": other} + f" · {meeting.event.title}")
    place = str(meeting.table) if meeting.table.kind != "online" else (meeting.table.online_url or _("线上"))
    item.add("location", " ".join(p for p in [meeting.event.venue, place] if p))
    item.add("description", _site_url() + f"/meetings/{meeting.event_id}/")
    item.add("related-to", event_uid(meeting.event_id))
    item.add("status", "CONFIRMED" if meeting.status in ACTIVE else "CANCELLED")
    return item


def _meetings_of(user):
    query = Meeting.objects.filter(slot__ends_at__gte=timezone.now() - PAST_KEPT).select_related(
        "slot", "table", "company", "candidate", "event"
    )
    from django.db.models import Q

    return (
        query.filter(Q(candidate=user) | Q(company__memberships__user=user))
        .filter(status__in=("accepted", "cancelled"))
        .distinct()
    )


def personal_meetings(user) -> list[VEvent]:
    """Accepted meetings (and cancelled ones, struck out) of the person or of their company."""
    return [
        meeting_component(m, for_company=m.candidate_id != user.pk)
        for m in _meetings_of(user)
        if m.status == "accepted" or m.sequence > 0
    ]


def meeting_attachment(*, user_id: int, context: dict) -> list[tuple[str, bytes, str]]:
    meeting = (
        Meeting.objects.select_related("slot", "table", "company", "candidate", "event")
        .filter(pk=context.get("meeting_id"))
        .first()
    )
    if meeting is None:
        return []
    cal = _calendar(meeting.event.title)
    cal.add_component(meeting_component(meeting, for_company=meeting.candidate_id != user_id))
    return [(f"boju-meeting-{meeting.pk}.ics", cal.to_ical(), MIME)]


def upcoming_meetings(starts_from, starts_until):
    from accounts.models import CompanyMembership
    from notifications.reminders import Upcoming

    meetings = Meeting.objects.filter(
        status="accepted", slot__starts_at__gte=starts_from, slot__starts_at__lt=starts_until
    ).select_related("slot", "company", "event", "table")
    for m in meetings:
        members = list(CompanyMembership.objects.filter(company_id=m.company_id).values_list("user_id", flat=True))
        yield Upcoming(
            key=f"meeting:{m.pk}:{m.sequence}",
            kind="reminder.meeting",
            starts_at=m.slot.starts_at,
            user_ids=[m.candidate_id, *members],
            context={
                "event_id": m.event_id,
                "event": m.event.title,
                "company": m.company.name,
                "meeting_id": m.pk,
                "table": str(m.table),
                "when": timezone.localtime(m.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                "url": f"/meetings/{m.event_id}/",
            },
        )
