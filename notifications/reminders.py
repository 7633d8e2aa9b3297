"""Reminders 24 hours and 2 hours before what people registered for, each sent once.

The apps that own the things people attend register a source (events registers events and
sessions); the periodic task asks every source what starts within the next 24 hours and
sends what is due and not yet in ReminderSent. The unique constraint on
(user, key, offset) is the only memory: a restarted beat, a second beat process or a run
that overlaps the previous one cannot send a reminder twice, and a run that was missed is
made up by the next one (as long as the thing has not started yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ReminderSent
from .services import notify_many

# Checked nearest first: something starting in 90 minutes gets the 2 h reminder, not a late 24 h one.
OFFSETS = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)))
HORIZON = timedelta(hours=24)


@dataclass
class Upcoming:
    key: str  # "event:42", "session:7": stable per thing
    kind: str  # the notification kind, e.g. "reminder.event"
    starts_at: datetime
    user_ids: list[int]
    context: dict = field(default_factory=dict)


# source(starts_from, starts_until) -> what starts in [from, until) and who is to be reminded.
Source = Callable[[datetime, datetime], Iterable[Upcoming]]
_sources: list[Source] = []


def reminder_source_register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def offset_due(starts_at: datetime, now: datetime) -> str | None:
    left = starts_at - now
    if left <= timedelta(0):
        return None
    for name, before in OFFSETS:
        if left <= before:
            return name
    return None


def reminders_run(*, now: datetime | None = None) -> int:
    """Send every reminder that is due now and was never sent. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for source in list(_sources):
        for item in source(now, now + HORIZON):
            offset = offset_due(item.starts_at, now)
            if offset is None or not item.user_ids:
                continue
            done = set(
                ReminderSent.objects.filter(key=item.key, offset=offset, user_id__in=item.user_ids).values_list(
                    "user_id", flat=True
                )
            )
            todo = [uid for uid in item.user_ids if uid not in done]
            if todo:
                sent += _send(item, offset, todo)
    return sent


def _send(item: Upcoming, offset: str, user_ids: list[int]) -> int:
    with transaction.atomic():
        claimed = []
        for user_id in user_ids:
            try:
                with transaction.atomic():  # a savepoint: a row another run inserted first is skipped
                    ReminderSent.objects.create(user_id=user_id, key=item.key, offset=offset)
            except IntegrityError:
                continue
            claimed.append(user_id)
        # Same transaction: if writing the notifications fails, the claims go too and the next run retries.
        notify_many(user_ids=claimed, kind=item.kind, context={**item.context, "offset": offset})
    return len(claimed)
