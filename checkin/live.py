"""Live pushes of scans: the organizers' dashboard (event.<id>.staff) and the public count.

The dashboard gets `{"type": "checkin.scans", "event": id, "scans": [row, ...]}`: a list, so
a process that handles hundreds of scans a second (the fast lane) sends a few messages a
second per event instead of one per scan, which a channel layer and a phone's browser can
both keep up with. The Django path sends the same shape with one row.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

from notifications.live import group_event_public, group_event_staff, publish

from .selectors import inside_count
from .signals import checkins_recorded


def scan_row(
    *,
    list_id: int,
    result: str,
    name: str,
    gate: str,
    scanned_at: datetime,
    flagged: bool,
    nonce: str,
    offline: bool,
    new: bool,
) -> dict:
    """One scan as the dashboard shows it. `new` marks a first check-in (the dashboard adds one
    to its count; it re-reads exact figures from a snapshot after a burst, as pushes are at
    most once)."""
    return {
        "list": list_id,
        "result": result,
        "name": name,
        "gate": gate,
        "at": scanned_at.isoformat(),
        "duplicate": flagged,
        "nonce": nonce,
        "offline": offline,
        "new": new,
    }


def scans_payload(event_id: int, rows: list[dict]) -> dict:
    return {"type": "checkin.scans", "event": event_id, "scans": rows}


def scan_broadcast(
    *,
    event_id: int,
    list_id: int,
    result: str,
    name: str,
    gate: str,
    scanned_at: datetime,
    flagged: bool,
    nonce: str,
    offline: bool,
    new: bool,
) -> None:
    """Called on commit by the Django path."""
    row = scan_row(
        list_id=list_id,
        result=result,
        name=name,
        gate=gate,
        scanned_at=scanned_at,
        flagged=flagged,
        nonce=nonce,
        offline=offline,
        new=new,
    )
    publish(group_event_staff(event_id), scans_payload(event_id, [row]))
    if result == "ok" and new:
        checkins_recorded.send(sender=None, event_id=event_id)
    # The public count goes out at most once a second per event (across processes: the cache
    # key is shared), so a rush at the doors costs neither a COUNT per scan nor a flood of
    # pushes to every visitor. A page that reconnects or comes back re-reads the exact count.
    if result == "ok" and new and cache.add(f"checkin:inside-pushed:{event_id}", 1, timeout=1):
        publish(
            group_event_public(event_id),
            {"type": "checkin.inside", "event": event_id, "inside": inside_count(event_id)},
        )
