"""Announcements: an organizer's message to everyone registered for an event (or a segment).

What may be announced to, who may announce, and who is in a segment belong to other apps,
so they register here (events registers the "event" target with its "registered" and
"waitlisted" segments; checkin can add "checked_in"). This module only sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from . import live
from .models import Announcement, Notification
from .services import NotificationError, notify_many

logger = logging.getLogger(__name__)
BODY_LIMIT = 2000
KIND = "announcement"


@dataclass
class Segment:
    key: str
    label: object
    resolve: Callable[[int], list[int]]  # target id -> user ids
    order: int = 100
    member: Callable[[int, int], bool] | None = None  # (target id, user id): cheaper than resolve

    def contains(self, target_id: int, user_id: int) -> bool:
        if self.member is not None:
            return bool(self.member(target_id, user_id))
        return user_id in set(self.resolve(target_id))


@dataclass
class Target:
    kind: str
    may_announce: Callable[[object, int], bool]  # (user, target id)
    describe: Callable[[int], dict | None]  # target id -> {"title": ..., "url": ...}
    audit: Callable[[object, Announcement], None] | None = None
    segments: dict[str, Segment] = field(default_factory=dict)


_targets: dict[str, Target] = {}


def announcement_target_register(kind: str, *, may_announce, describe, audit=None) -> None:
    existing = _targets.get(kind)
    _targets[kind] = Target(
        kind=kind,
        may_announce=may_announce,
        describe=describe,
        audit=audit,
        segments=existing.segments if existing else {},
    )


def announcement_segment_register(kind: str, key: str, *, label, resolve, order: int = 100, member=None) -> None:
    """Add a segment (e.g. "checked_in") to a target kind. May run before or after the target's own.

    `resolve(target_id) -> [user ids]`; `member(target_id, user_id) -> bool` (optional, for the
    live topic check; without it `resolve` is used)."""
    target = _targets.setdefault(kind, Target(kind=kind, may_announce=lambda user, pk: False, describe=lambda pk: None))
    target.segments[key] = Segment(key=key, label=label, resolve=resolve, order=order, member=member)


# --- live: one group per event segment ----------------------------------------------------------
# Every recipient also gets the announcement on `inbox.<id>` (for the header on any page), but
# that is one Redis send per person. The event page additionally joins `notice.<event>.<segment>`,
# so the banner reaches everyone on the page with ONE group send, whatever the number of people.


def group_notice(target_id: int, segment: str) -> str:
    return f"notice.{int(target_id)}.{segment.replace('_', '')}"


def _segment_by_audience(kind: str, audience: str) -> Segment | None:
    for segment in segments_for(kind):
        if segment.key.replace("_", "") == audience:
            return segment
    return None


def _authorize_notice_topic(user, target_id: int, audience: str) -> bool:
    segment = _segment_by_audience("event", audience)
    return bool(segment and user.is_authenticated and segment.contains(target_id, user.pk))


def notice_topics(user, target_id: int) -> list[str]:
    """The segment groups of the event that `user` belongs to (for the event page to join)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [group_notice(target_id, s.key) for s in segments_for("event") if s.contains(target_id, user.pk)]


live.topic_register("notice", _authorize_notice_topic)


def segments_for(kind: str) -> list[Segment]:
    target = _targets.get(kind)
    return sorted(target.segments.values(), key=lambda s: (s.order, s.key)) if target else []


def may_announce(user, kind: str, target_id: int) -> bool:
    target = _targets.get(kind)
    return bool(target and user.is_authenticated and target.may_announce(user, target_id))


def describe(kind: str, target_id: int) -> dict | None:
    target = _targets.get(kind)
    return target.describe(target_id) if target else None


def announcement_send(*, actor, kind: str, target_id: int, segment: str, body: str) -> Announcement:
    """Send `body` to everyone in `segment` of the target (an event) and record the reach.

    Two steps, so that the people looking at the event page see it first: the announcement is
    written and committed (with its audit entry); on commit the banner goes out ONCE to the
    segment's live group, then each recipient's inbox notification is written (and e-mailed if
    they chose so) and pushed to `inbox.<id>`, see _deliver. Raises NotificationError:
    forbidden / empty / too_long / bad_segment / no_recipients.
    """
    target = _targets.get(kind)
    if target is None or not may_announce(actor, kind, target_id):
        raise NotificationError("forbidden")
    body = (body or "").strip()
    if not body:
        raise NotificationError("empty")
    if len(body) > BODY_LIMIT:
        raise NotificationError("too_long", limit=BODY_LIMIT)
    chosen = target.segments.get(segment)
    if chosen is None:
        raise NotificationError("bad_segment")
    info = target.describe(target_id) or {}
    with transaction.atomic():
        user_ids = sorted(set(chosen.resolve(target_id)))
        if not user_ids:
            raise NotificationError("no_recipients")
        announcement = Announcement.objects.create(
            target=f"{kind}:{int(target_id)}", segment=segment, author=actor, body=body, recipients=len(user_ids)
        )
        if target.audit is not None:
            target.audit(actor, announcement)
        context = {
            "target": announcement.target,
            f"{kind}_id": int(target_id),
            "title": info.get("title", ""),
            "url": info.get("url", ""),
            "body": body,
            "announcement_id": announcement.pk,
            "author": getattr(actor, "display_name", "") or str(actor),
        }
        if kind == "event":
            banner = {
                "type": "announcement",
                "announcement": announcement.pk,
                "event": int(target_id),
                "message": body,
                "unread_delta": 1,
                "created_at": announcement.created_at.isoformat(),
            }
            group = group_notice(target_id, segment)
            transaction.on_commit(lambda: live.publish(group, banner))
        pk = announcement.pk
        transaction.on_commit(lambda: _deliver(pk, user_ids, context))
    return announcement


def _deliver(announcement_id: int, user_ids: list[int], context: dict) -> None:
    """The inbox notifications of a committed announcement; safe to run again (whoever already
    has theirs is skipped). The reach figures are set from what was really written."""
    try:
        with transaction.atomic():
            announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
            done = set(Notification.objects.filter(announcement=announcement).values_list("user_id", flat=True))
            sent = notify_many(
                user_ids=[u for u in user_ids if u not in done], kind=KIND, context=context, announcement=announcement
            )
            announcement.recipients = len(done) + len(sent)
            announcement.emails_queued += sum(1 for n in sent if getattr(n, "email_queued", False))
            announcement.save(update_fields=["recipients", "emails_queued"])
    except Exception:
        logger.exception("delivering announcement %s failed", announcement_id)
