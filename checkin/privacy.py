"""What checkin holds about a person, for the personal-data export (DESIGN §8, issue 17).

About a ticket holder: their tickets, their check-ins (when, where, on which list) and every
scan of their tickets that reached the server. About an organizer who scanned at a door: the
scans they made (without the names of the people scanned: those belong to others).
Erasure: tickets, check-ins and scans go with the registration (CASCADE); an organizer's own
scans keep their rows with `by_user` emptied (SET_NULL), so nothing is left to do here.
"""

from __future__ import annotations

from .models import Checkin, Scan, Ticket


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def personal_data_export(user) -> dict:
    tickets = Ticket.objects.filter(registration__user=user).select_related("event").order_by("pk")
    checkins = (
        Checkin.objects.filter(ticket__registration__user=user)
        .select_related("ticket__event", "checkin_list")
        .order_by("scanned_at", "pk")
    )
    scans = (
        Scan.objects.filter(ticket__registration__user=user)
        .select_related("event", "checkin_list")
        .order_by("scanned_at", "pk")
    )
    scanned = Scan.objects.filter(by_user=user).select_related("event").order_by("scanned_at", "pk")
    data = {
        "tickets": [{"event": t.event.title, "ticket_number": t.pk, "issued_at": _iso(t.created_at)} for t in tickets],
        "checkins": [
            {
                "event": c.ticket.event.title,
                "list": c.checkin_list.name,
                "scanned_at": _iso(c.scanned_at),
                "gate": c.gate,
                "offline": c.offline,
            }
            for c in checkins
        ],
        "ticket_scans": [
            {
                "event": s.event.title if s.event_id else "",
                "list": s.checkin_list.name if s.checkin_list_id else "",
                "result": s.result,
                "scanned_at": _iso(s.scanned_at),
                "gate": s.gate,
                "duplicate": s.flagged,
            }
            for s in scans
        ],
        "scans_made_at_the_door": [
            {
                "event": s.event.title if s.event_id else "",
                "result": s.result,
                "scanned_at": _iso(s.scanned_at),
                "gate": s.gate,
            }
            for s in scanned
        ],
    }
    return {key: value for key, value in data.items() if value}
