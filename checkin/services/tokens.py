"""From a device's bearer token to the Scanner it acts as.

Apart from setup.py (pairing and revoking devices) because it returns a scanning.Scanner, and
scanning.py already uses setup.py (the default check-in list): one direction, no circle.
"""

from __future__ import annotations

from django.core.cache import cache

from ..models import ScannerDevice
from .scanning import Scanner
from .setup import DEVICE_CACHE_TTL, _device_cache_key, secret_hash


def scanner_for_token(token: str):
    """The Scanner of a live device token, or None (unknown or revoked). Cached for a minute;
    revocation clears the entry, so a revoked token fails on its very next scan."""
    if not token or len(token) > 100:
        return None
    token_hash = secret_hash(token)
    entry = cache.get(_device_cache_key(token_hash))
    if entry is None:
        device = ScannerDevice.objects.filter(token_hash=token_hash, revoked_at__isnull=True).first()
        entry = (device.pk, sorted(device.events.values_list("pk", flat=True))) if device else ()
        cache.set(_device_cache_key(token_hash), entry, DEVICE_CACHE_TTL if entry else 5)
    if not entry:
        return None
    return Scanner(device_id=entry[0], event_ids=frozenset(entry[1]))
