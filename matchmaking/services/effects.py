"""After-commit effects of meeting changes: live pushes and notifications (DESIGN §5.4).

Live groups: `meetings.<event id>.staff` (the organizer's grid) and `user.<id>` of the candidate
and of every member of the company (their schedules). Payloads carry ids and the event's
meeting version only; pages re-read their snapshot, so nothing personal travels in a push.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from notifications import live

from ..models import Meeting, MeetingSetup

logger = logging.getLogger(__name__)


def group_staff(event_id: int) -> str:
    return f"meetings.{int(event_id)}.staff"


def _member_ids(company_id: int) -> list[int]:
    from accounts.models import CompanyMembership

    return list(
        CompanyMembership.objects.filter(company_id=company_id, user__is_active=True).values_list("user_id", flat=True)
    )


def changed(event_id: int, meetings: list[Meeting]) -> None:
    """On commit: raise the event's meeting version and push it to the grid and the schedules.
    (Raised after commit, not inside the booking: that would lock the setup row and queue every
    booking of the event behind it.)"""
    users = set()
    for meeting in meetings:
        users.add(meeting.candidate_id)
        users.update(_member_ids(meeting.company_id))
    ids = [m.pk for m in meetings]

    def push():
        MeetingSetup.objects.filter(pk=event_id).update(version=F("version") + 1)
        version = MeetingSetup.objects.filter(pk=event_id).values_list("version", flat=True).first()
        payload = {"type": "meetings.changed", "event": event_id, "version": version, "meetings": ids}
        live.publish(group_staff(event_id), payload)
        for user_id in sorted(users):
            live.publish(live.group_user(user_id), payload)

    transaction.on_commit(push)


def notify(meeting: Meeting, what: str, *, to: str = "both", **extra) -> None:
    """Tell the candidate and/or the company's members (inside the transaction; sent on commit)."""
    try:
        from notifications.services import notify_many
    except ImportError:
        return
    event = meeting.event
    slot = meeting.slot
    from django.utils import timezone

    context = {
        "event_id": event.pk,
        "event": event.title,
        "company": meeting.company.name,
        "candidate": meeting.candidate.display_name,
        "meeting_id": meeting.pk,
        "when": timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
        "table": str(meeting.table),
        "target": f"meeting:{meeting.pk}",
        **extra,
    }
    try:
        if to in ("both", "candidate"):
            notify_many(
                user_ids=[meeting.candidate_id],
                kind=f"meeting.{what}",
                context={**context, "url": reverse("matchmaking:mine", args=[event.pk])},
            )
        if to in ("both", "company"):
            ids = _member_ids(meeting.company_id)
            if ids:
                notify_many(
                    user_ids=ids,
                    kind=f"meeting.{what}",
                    context={**context, "url": reverse("matchmaking:company", args=[event.pk])},
                )
    except LookupError:
        logger.warning("notification kind meeting.%s is not registered", what)
