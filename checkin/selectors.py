"""Reads: counts for the dashboard and the public page, the offline bundle for scanners."""

from __future__ import annotations

import base64
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from events.models import Registration

from .models import Checkin, CheckinList, Scan, SigningKey, Ticket

RECENT = 20


def inside_count(event_id: int) -> int:
    """People checked in on the event's whole-event list (nobody checks out)."""
    return Checkin.objects.filter(checkin_list__event_id=event_id, checkin_list__session__isnull=True).count()


def checkin_opens_at(event):
    """When door scanning of the whole event opens: its list's window, or the default window if
    the list is not made yet (it is made on the first scan with the default)."""
    from datetime import timedelta

    whole = CheckinList.objects.filter(event=event, session__isnull=True).first()
    minutes = whole.opens_minutes_before if whole else CheckinList._meta.get_field("opens_minutes_before").default
    return event.starts_at - timedelta(minutes=minutes)


def revoked_ticket_ids(event_id: int) -> list[int]:
    """The revocation list: tickets whose registration is no longer confirmed."""
    return list(
        Ticket.objects.filter(event_id=event_id)
        .exclude(registration__status="confirmed")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _scan_row(scan) -> dict:
    return {
        "result": scan.result,
        "name": scan.ticket.registration.user.display_name if scan.ticket_id else "",
        "gate": scan.gate,
        "at": scan.scanned_at.isoformat(),
        "duplicate": scan.flagged,
        "offline": scan.offline,
    }


def dashboard_snapshot(event) -> dict:
    """Everything the live dashboard shows, fresh (loaded on every (re)connect)."""
    whole = CheckinList.objects.filter(event=event, session__isnull=True).first()
    checkins = Checkin.objects.filter(checkin_list=whole) if whole else Checkin.objects.none()
    tz = ZoneInfo(settings.TIME_ZONE)
    per_hour = (
        checkins.annotate(hour=TruncHour("scanned_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    per_gate = checkins.values("gate").annotate(n=Count("id")).order_by("-n", "gate")
    scans = Scan.objects.filter(event=event).select_related("ticket__registration__user")
    sessions = [
        {"id": lst.pk, "name": lst.name, "checked_in": lst.n}
        for lst in CheckinList.objects.filter(event=event, session__isnull=False)
        .annotate(n=Count("checkins"))
        .order_by("session__starts_at")
    ]
    return {
        "event": event.pk,
        "registered": Registration.objects.filter(event=event, status="confirmed").count(),
        "checked_in": checkins.count(),
        "per_gate": [{"gate": row["gate"], "n": row["n"]} for row in per_gate],
        "per_hour": [
            {"hour": timezone.localtime(row["hour"], tz).strftime("%H:00"), "n": row["n"]} for row in per_hour
        ],
        "recent": [_scan_row(scan) for scan in scans.order_by("-received_at", "-id")[:RECENT]],
        "duplicates": [_scan_row(scan) for scan in scans.filter(flagged=True).order_by("-received_at", "-id")[:RECENT]],
        "duplicate_count": scans.filter(flagged=True).count(),
        "sessions": sessions,
        "server_time": timezone.now().isoformat(),
    }


def offline_bundle(event) -> dict:
    """What a scanner keeps to check codes with the network gone: the event's active public
    keys, the revocation list and the ticket list (id -> display name, to show the name)."""
    now = timezone.now()
    keys = SigningKey.objects.filter(event=event).exclude(retired_at__lte=now).order_by("pk")
    tickets = (
        Ticket.objects.filter(event=event, registration__status="confirmed")
        .select_related("registration__user")
        .order_by("pk")
    )
    lists = list(
        CheckinList.objects.filter(event=event).select_related("event", "session").order_by("session__starts_at", "pk")
    )
    checked: dict[int, list[int]] = {}
    for list_id, ticket_id in Checkin.objects.filter(checkin_list__event=event).values_list(
        "checkin_list_id", "ticket_id"
    ):
        checked.setdefault(list_id, []).append(ticket_id)
    return {
        "event": event.pk,
        "title": event.title,
        "keys": [
            {"id": key.pk, "public_key": base64.urlsafe_b64encode(bytes(key.public_key)).rstrip(b"=").decode()}
            for key in keys
        ],
        "revoked": revoked_ticket_ids(event.pk),
        "tickets": {str(ticket.pk): ticket.registration.user.display_name for ticket in tickets},
        # Per list (the whole event's and each session's): the window, so the page can refuse a
        # scan before opening with the network gone, and who is in already.
        "lists": [
            {
                "id": lst.pk,
                "name": lst.name,
                "session": lst.session_id,
                "allow_reentry": lst.allow_reentry,
                "opens": lst.window()[0].isoformat(),
                "closes": lst.window()[1].isoformat(),
                "rehearsal_until": lst.rehearsal_until.isoformat() if lst.rehearsal_until else None,
                "checked_in": sorted(checked.get(lst.pk, [])),
            }
            for lst in lists
        ],
        "window": {"opens": checkin_opens_at(event).isoformat(), "closes": event.ends_at.isoformat()},
        "checked_in": sorted(ticket for lst in lists if lst.session_id is None for ticket in checked.get(lst.pk, [])),
        "generated_at": now.isoformat(),
    }


def scanner_events(user):
    """Published events a logged-in organizer may scan for, soonest first (not long over)."""
    from datetime import timedelta

    from django.db.models import Q

    from events.models import Event

    events = Event.objects.filter(status="published", ends_at__gte=timezone.now() - timedelta(days=1))
    if not user.has_perm("events.manage_all_events"):
        events = events.filter(Q(team__user=user) & (Q(team__can_scan=True) | Q(team__can_edit=True)))
    return events.distinct().order_by("starts_at")[:100]
