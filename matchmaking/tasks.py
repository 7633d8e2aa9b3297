"""Periodic work of matchmaking (Celery beat, config/settings.py)."""

from celery import shared_task


@shared_task
def meetings_lapse_task() -> int:
    """Requests past their answer deadline lapse and free their cells; both sides are told."""
    from .services import meetings_lapse

    return meetings_lapse()
