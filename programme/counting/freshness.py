"""A page view catches up only when the counters are behind AND no run happened for a while:
normally a nudge or Celery beat has already counted, and a rush of page views during a rush of
scans must not queue up behind the cursor's lock."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from checkin.models import Checkin

from ..models import Cursor
from .catch_up import RECENT_KEY, STALE_AFTER, caught_up_recently


def catch_up_if_stale() -> bool:
    if cache.get(RECENT_KEY):
        return False
    cursor = Cursor.objects.filter(name="checkin").values_list("last_id", "ran_at").first()
    last_id, ran_at = cursor or (0, None)
    if ran_at is not None and timezone.now() - ran_at < STALE_AFTER:
        return False
    newest = Checkin.objects.aggregate(top=Max("id"))["top"] or 0
    if newest <= last_id and ran_at is not None:
        caught_up_recently()
        return False
    from .nudge import catch_up_and_push

    catch_up_and_push()
    return True
