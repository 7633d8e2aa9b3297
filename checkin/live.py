"""Live pushes of scans: the organizers' dashboard (event.<id>.staff) and the public count."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

from notifications.live import group_event_public, group_event_staff, publish

from .selectors import inside_count


def scan_broadcast(*, event_id: int, list_id: int, result: str, name: str, gate: str, scanned_at: datetime,
                   flagged: bool, nonce: str, offline: bool) -> None:
    """Called on commit. The counts only ever rise, so a page keeps the larger of what it has and
    what arrives (pushes from several processes may overtake each other)."""
    payload = {"type": "checkin.scan", "event": event_id, "list": list_id, "result": result, "name": name, "gate": gate,
               "at": scanned_at.isoformat(), "duplicate": flagged, "nonce": nonce, "offline": offline}
    if result == "ok":
        payload["inside"] = inside_count(event_id)
        # The public count goes out at most once a second per event (across processes: the
        # cache key is shared), so a rush at the doors does not flood every visitor's socket.
        # A page that reconnects or comes back to the foreground re-reads the exact count.
        if cache.add(f"checkin:inside-pushed:{event_id}", 1, timeout=1):
            publish(group_event_public(event_id), {"type": "checkin.inside", "event": event_id,
                                                   "inside": payload["inside"]})
    publish(group_event_staff(event_id), payload)
