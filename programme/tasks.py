"""Periodic counting (celery beat): a catch-up every few seconds as a safety net for missed
nudges, and a nightly recount that rebuilds the counters from scratch."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="programme.tasks.tallies_catch_up")
def tallies_catch_up_task() -> int:
    from .counting.nudge import catch_up_and_push

    return len(catch_up_and_push())


@shared_task(name="programme.tasks.tallies_reconcile")
def tallies_reconcile_task() -> list[int]:
    """Rebuild, then compare with a recount; a difference is logged (it would be a bug)."""
    from events.models import Series

    from .counting import recount, tallies_read, tallies_rebuild

    tallies_rebuild()
    wrong = [s for s in Series.objects.values_list("pk", flat=True) if tallies_read(s) != recount(s)]
    if wrong:
        logger.error("programme counters differ from a recount for series %s", wrong)
    return wrong
