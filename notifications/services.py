"""The one way to tell a person something, and the person's own writes (read, preferences).

notify() / notify_many() write the in-app notification (and its e-mail row when the person
wants e-mail for that kind) inside the caller's transaction; only after it commits is the
notification pushed live to `inbox.<id>` and the e-mail handed to Celery. A rolled-back
transaction therefore leaves nothing and sends nothing (DESIGN §5.4).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import live
from .kinds import kind_get, kinds_all
from .models import EmailDelivery, Notification, Preference
from .queue import task
from .rendering import render_message
from .signals import preferences_changed

logger = logging.getLogger(__name__)


class NotificationError(Exception):
    messages = {
        "forbidden": _("您没有权限进行此操作。"),
        "empty": _("请填写公告内容。"),
        "too_long": _("公告内容不能超过 %(limit)d 个字。"),
        "bad_segment": _("请选择有效的发送对象。"),
        "no_recipients": _("所选对象目前没有人，公告未发送。"),
        "unknown_kind": _("未知的通知类型。"),
    }

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        template = self.messages.get(code, code)
        self.message = template % params if params else template


def email_wanted(user_ids: Iterable[int], kind_key: str) -> set[int]:
    """Of `user_ids`, those who get this kind by e-mail (their choice, else the kind's default)."""
    kind = kind_get(kind_key)
    ids = set(user_ids)
    if not kind.email_optional:
        return ids
    choices = dict(Preference.objects.filter(user_id__in=ids, kind=kind_key).values_list("user_id", "email"))
    return {uid for uid in ids if choices.get(uid, kind.email_default)}


def _target_of(context: dict) -> str:
    if context.get("target"):
        return str(context["target"])[:64]
    if context.get("event_id"):
        return f"event:{int(context['event_id'])}"
    return ""


def notify(*, user, kind: str, context: dict) -> Notification:
    """Tell `user` something of `kind`. `context` is plain data (ids, strings, numbers).

    Writes the Notification (and an EmailDelivery if the person wants e-mail for the kind).
    On commit: pushed live to `inbox.<id>` with the new unread count; the e-mail task queued.
    Raises notifications.kinds.UnknownKind for an undeclared kind.
    """
    return notify_many(users=[user], kind=kind, context=context)[0]


def notify_many(
    *, users=None, user_ids: Iterable[int] | None = None, kind: str, context: dict, announcement=None
) -> list[Notification]:
    """notify() for many people at once (an announcement, an event change): one insert per table.

    Messages are rendered once per language. Same side effects as notify(), batched: one live
    publish for all, one Celery task for all the e-mails.
    """
    kind_get(kind)
    if users is None:
        users = _active_users(user_ids or [])
    users = [u for u in users if u.is_active]
    if not users:
        return []
    return _notifications_write([(users, kind, context, announcement)])


def _active_users(user_ids: Iterable[int]) -> list:
    return list(
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .only("pk", "email", "language", "is_active")
    )


def _notifications_write(items: list[tuple[list, str, dict, object]]) -> list[Notification]:
    """Write the notifications of several (users, kind, context, announcement) at once: one
    insert per table for all of them, one e-mail-preference query per kind, one on-commit hand
    over (push and e-mail task) for all. Runs in the caller's transaction."""
    now = timezone.now()
    notifications = []
    for users, kind, context, announcement in items:
        rendered: dict[str, tuple[str, str]] = {}
        url = str(context.get("url", ""))[:300]
        target = _target_of(context)
        for user in users:
            language = user.language or settings.LANGUAGE_CODE
            if language not in rendered:
                rendered[language] = render_message(kind, context, language=language)
            title, body = rendered[language]
            notifications.append(
                Notification(
                    user=user,
                    kind=kind,
                    context=context,
                    title=title,
                    body=body,
                    url=url,
                    target=target,
                    created_at=now,
                    announcement=announcement,
                )
            )
    if not notifications:
        return []
    with transaction.atomic():
        if len(notifications) == 1:
            notifications[0].save()
        else:
            by_user = {}
            for n in notifications:
                by_user.setdefault(n.user_id, n.user)
            notifications = Notification.objects.bulk_create(notifications, batch_size=500)
            if notifications and notifications[0].pk is None:  # old SQLite: no RETURNING
                notifications = list(
                    Notification.objects.filter(
                        kind__in={n.kind for n in notifications}, created_at=now, user__in=list(by_user)
                    ).order_by("id")
                )
                for n in notifications:
                    n.user = by_user[n.user_id]
        wanted: set[tuple[int, str]] = set()
        for kind in {n.kind for n in notifications}:
            ids = email_wanted([n.user_id for n in notifications if n.kind == kind], kind)
            wanted.update((uid, kind) for uid in ids)
        deliveries = [
            EmailDelivery(notification=n) for n in notifications if (n.user_id, n.kind) in wanted and n.user.email
        ]
        if len(deliveries) == 1:
            deliveries[0].save()
        elif deliveries:
            EmailDelivery.objects.bulk_create(deliveries, batch_size=500)
        ids = [n.pk for n in notifications]
        emailed = [d.notification_id for d in deliveries]
        emailed_set = set(emailed)
        for n in notifications:  # callers count the e-mails (an announcement's reach)
            n.email_queued = n.pk in emailed_set
        transaction.on_commit(lambda: _after_commit_or_gather(ids, emailed))
    return notifications


def notice_deliver(payload: dict) -> None:
    """The outbox's handler for notices (outbox_handler_register in apps.ready): writes them."""
    notify_many(user_ids=payload["user_ids"], kind=payload["kind"], context=payload["context"])


def notices_deliver(payloads: list[dict]) -> None:
    """notice_deliver() for a batch of outbox notices (a registration burst: one person each),
    with one query per table for the whole batch instead of five per notice. All or nothing: it
    raises if any notice cannot be written (an unknown kind), and the outbox then delivers the
    batch one by one (outbox_deliver_many)."""
    for payload in payloads:
        kind_get(payload["kind"])
    users = {u.pk: u for u in _active_users({int(uid) for p in payloads for uid in p["user_ids"]})}
    items = []
    for payload in payloads:
        people = [users[int(uid)] for uid in dict.fromkeys(payload["user_ids"]) if int(uid) in users]
        if people:
            items.append((people, payload["kind"], payload["context"], None))
    _notifications_write(items)


def notify_later(*, user_ids: Iterable[int], kind: str, context: dict) -> None:
    """notify_many(), but in a Celery task: for hot paths such as registration, where the request
    should not also render and write the message (and its e-mail row).

    Durable: one outbox row is written in the caller's transaction (notifications/outbox.py), so
    a Redis outage, a restart or a killed worker delays the notice but never loses it, and it is
    written exactly once. Nothing happens if the transaction rolls back. Runs inline on the
    embedded default.
    """
    from .models import OutboxMessage

    kind_get(kind)
    ids = [int(uid) for uid in user_ids]
    if not ids:
        return
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.NOTICE, payload={"user_ids": ids, "kind": kind, "context": context}
    )

    transaction.on_commit(lambda: notice_enqueue(message.pk))


def notice_enqueue(message_id: int) -> None:
    """Hand a committed notice's outbox row to the worker: batched inside an ASGI server (any
    thread, the loop's own included), at once elsewhere."""
    loop = live.server_loop()
    if loop is None:
        _notices_send([message_id])
    else:
        loop.call_soon_threadsafe(_notice_batch_add, loop, message_id)


# Inside an ASGI server the notices of a burst travel to the worker together: queueing one
# Celery task costs about a millisecond of CPU (kombu, argument reprs, settings lookups), a
# fifth of a registration. A notice waits at most NOTICE_BATCH_WINDOW_S in the process; its
# outbox row is already committed, so a crash in that moment delays it, never loses it.
NOTICE_BATCH_WINDOW_S = 0.05
NOTICE_BATCH_MAX = 200
_notice_batch: list[int] = []  # outbox ids; touched on the server's loop only


def _notice_batch_add(loop, message_id: int) -> None:
    _notice_batch.append(message_id)
    if len(_notice_batch) >= NOTICE_BATCH_MAX:
        _notice_batch_flush(loop)
    elif len(_notice_batch) == 1:
        loop.call_later(NOTICE_BATCH_WINDOW_S, _notice_batch_flush, loop)


def _notice_batch_flush(loop) -> None:
    items = _notice_batch[:]
    _notice_batch.clear()
    if items:
        loop.run_in_executor(None, _notices_send, items)  # kombu blocks: not on the loop


def _notices_send(message_ids: list[int]) -> None:
    from .outbox import outbox_dispatch

    outbox_dispatch(message_ids)  # never raises; the re-drive covers a failed hand-over


_gathering = threading.local()


@contextmanager
def notices_gathered():
    """Inside: the live pushes and e-mail hand-overs of the notices committed are gathered and
    done once when the block ends, for all of them.

    For the outbox worker's batches (tasks.outbox_deliver_batch): each notice of a registration
    burst is its own transaction, and pushing and queueing each one alone cost two queries, a
    Redis round trip and a Celery message per notice. Gathered, that is one of each per batch.
    The notices are committed when gathered; if the block fails, what was gathered is still
    pushed and queued on the way out.
    """
    if getattr(_gathering, "pending", None) is not None:  # nested: the outer block sends
        yield
        return
    _gathering.pending = pending = ([], [])
    try:
        yield
    finally:
        _gathering.pending = None
        if pending[0]:
            _after_commit(*pending)


def _after_commit_or_gather(notification_ids: list[int], emailed_notification_ids: list[int]) -> None:
    pending = getattr(_gathering, "pending", None)
    if pending is None:
        _after_commit(notification_ids, emailed_notification_ids)
    else:
        pending[0].extend(notification_ids)
        pending[1].extend(emailed_notification_ids)


def _after_commit(notification_ids: list[int], emailed_notification_ids: list[int]) -> None:
    """Push, then queue e-mail. Each step is best effort: a failure is logged, the rows stay
    (the inbox shows them; a lost push is made good by the page's snapshot)."""
    try:
        push_notifications(notification_ids)
    except Exception:
        logger.exception("live push of notifications failed")
    if not emailed_notification_ids:
        return
    try:
        if len(emailed_notification_ids) == 1:
            task("email_send").delay(emailed_notification_ids[0])
        else:
            task("email_send_batch").delay(emailed_notification_ids)
    except Exception:
        # Eager mode raises the task's own error here; a broker outage raises too. The
        # EmailDelivery rows stay `pending`, so nothing is lost: emails_resend_pending() retries them.
        logger.exception("queueing notification e-mail failed")


def push_notifications(notification_ids: list[int]) -> None:
    rows = list(
        Notification.objects.filter(pk__in=notification_ids).values(
            "pk", "user_id", "kind", "title", "body", "url", "target", "announcement_id", "context", "created_at"
        )
    )
    if not rows:
        return
    unread = dict(
        Notification.objects.filter(user_id__in={r["user_id"] for r in rows}, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    messages = []
    for row in rows:
        payload = {
            "type": "notification",
            "id": row["pk"],
            "kind": row["kind"],
            "title": row["title"],
            "body": row["body"],
            "url": row["url"],
            "target": row["target"],
            "unread": unread.get(row["user_id"], 0),
            "created_at": row["created_at"].isoformat(),
        }
        if row["announcement_id"]:
            payload["announcement"] = row["announcement_id"]
            payload["event"] = row["context"].get("event_id")
            payload["message"] = row["context"].get("body", "")
        messages.append((live.group_inbox(row["user_id"]), payload))
    live.publish_many(messages)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them when no id is given).

    Returns the new unread count. On commit: the count is pushed to the user's other pages.
    Someone else's notification id is treated as not found (NotificationError "forbidden").
    """
    with transaction.atomic():
        mine = Notification.objects.filter(user=user, read_at__isnull=True)
        if notification_id is not None:
            if not Notification.objects.filter(user=user, pk=notification_id).exists():
                raise NotificationError("forbidden")
            mine = mine.filter(pk=notification_id)
        mine.update(read_at=timezone.now())
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        group = live.group_inbox(user.pk)
        transaction.on_commit(lambda: live.publish(group, {"type": "notification.read", "unread": count}))
    return count


def preferences_save(*, user, email_by_kind: dict[str, bool]) -> None:
    """Store the person's e-mail choice per kind; kinds that cannot be turned off are ignored."""
    known = {k.key: k for k in kinds_all()}
    with transaction.atomic():
        before = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
        changed = {}
        for key, email in email_by_kind.items():
            kind = known.get(key)
            if kind is None or not kind.email_optional:
                continue
            Preference.objects.update_or_create(user=user, kind=key, defaults={"email": bool(email)})
            if before.get(key, True) != bool(email):
                changed[key] = bool(email)
        if changed:
            # Audited by whoever keeps the audit trail (accounts connects in ready()): this app
            # imports no other (DESIGN §2). Sent inside the transaction, so the entry goes with it.
            preferences_changed.send(sender=Preference, user=user, email=changed)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def announcement_reach(announcement_ids: list[int]) -> dict[int, dict]:
    """Announcement id -> {recipients, read, emailed}: one query for a whole list."""
    rows = (
        Notification.objects.filter(announcement_id__in=announcement_ids)
        .values("announcement_id")
        .annotate(
            recipients=Count("id"),
            read=Count("id", filter=Q(read_at__isnull=False)),
            emailed=Count("id", filter=Q(email__status=EmailDelivery.Status.SENT)),
        )
    )
    return {r["announcement_id"]: r for r in rows}
