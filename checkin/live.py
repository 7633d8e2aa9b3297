"""Live pushes of scans: the organizers' dashboard (event.<id>.staff) and the public count."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

from notifications.live import group_event_public, group_event_staff, publish

from .selectors import inside_count


def scan_broadcast(*, event_id: int, list_id: int, result: str, name: str, gate: str, scanned_at: datetime,
                   flagged: bool, nonce: str, offline: bool, new: bool) -> None:
    """Called on commit. `new` marks a first check-in (the dashboard adds one to its count; it
    re-reads exact figures from a snapshot after a burst, as pushes are at most once)."""
    payload = {"type": "checkin.scan", "event": event_id, "list": list_id, "result": result, "name": name, "gate": gate,
               "at": scanned_at.isoformat(), "duplicate": flagged, "nonce": nonce, "offline": offline, "new": new}
    publish(group_event_staff(event_id), payload)
    # The public count goes out at most once a second per event (across processes: the cache
    # key is shared), so a rush at the doors costs neither a COUNT per scan nor a flood of
    # pushes to every visitor. A page that reconnects or comes back re-reads the exact count.
    if result == "ok" and new and cache.add(f"checkin:inside-pushed:{event_id}", 1, timeout=1):
        publish(group_event_public(event_id), {"type": "checkin.inside", "event": event_id,
                                               "inside": inside_count(event_id)})
