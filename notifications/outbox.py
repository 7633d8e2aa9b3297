"""The transactional outbox: what must reach someone is written with its cause, then delivered once.

    outbox_add(...)      inside the caller's transaction: one OutboxMessage row. Rolled back with
                         the caller, it never existed; committed, it is durable in PostgreSQL.
    after commit         its id is handed to Celery (batched inside an ASGI server, see services).
                         If Redis is down, the hand-over fails and is only logged.
    outbox_deliver(id)   in the worker: locks the row (SKIP LOCKED: a second copy of the task
                         walks away), runs the handler, marks it done, commits: one transaction.
                         A worker killed before the commit leaves the row `pending` and unlocked
                         (PostgreSQL rolls back the dead connection's transaction at once), so
                         there is no stuck "sending" state to resolve; a duplicate task after
                         the commit finds it done.
    outbox_redrive()     Celery beat, every 30 s: every row still pending REDRIVE_AFTER after it
                         became available is handed to Celery again. This is what makes a lost
                         task, a restarted Redis or a killed worker cost seconds, not the broker's
                         one-hour visibility timeout.

A notice handler writes notifications (notify_many) in the delivery transaction, so the notice
and the `done` mark commit together: exactly once. A mail handler talks to the SMTP server
inside the transaction; the only window for a duplicate is between the server's "250 OK" and our
COMMIT (a millisecond), instead of the whole SMTP conversation.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage
from .queue import task

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
Kind = OutboxMessage.Kind

MAX_ATTEMPTS = 8
REDRIVE_AFTER = timedelta(seconds=30)
REDRIVE_BATCH = 2000


def outbox_add(*, kind: str, payload: dict, email: str = "") -> OutboxMessage:
    """Write one message to the outbox in the caller's transaction. On commit it is handed to
    Celery (inline on the embedded default). Returns the row."""
    message = OutboxMessage.objects.create(kind=kind, payload=payload, email=email[:254])
    transaction.on_commit(lambda: outbox_dispatch([message.pk]))
    return message


def outbox_mail_add(*, to: str, subject: str, body: str) -> OutboxMessage:
    """A plain-text mail (for example a company invitation to someone without an account)."""
    return outbox_add(kind=Kind.MAIL, payload={"to": [to], "subject": subject, "body": body}, email=to)


def outbox_dispatch(message_ids: list[int]) -> None:
    """Hand messages to Celery. Best effort: a failure is logged; outbox_redrive() retries."""
    try:
        if len(message_ids) == 1:
            task("outbox_deliver_task").delay(message_ids[0])
        else:
            task("outbox_deliver_batch").apply_async(
                (list(message_ids),), argsrepr=f"({len(message_ids)} messages)", kwargsrepr="{}"
            )
    except Exception:
        logger.warning(
            "handing %d outbox message(s) to Celery failed; the re-drive will retry them",
            len(message_ids),
            exc_info=True,
        )


class TemporaryDeliveryError(Exception):
    pass


def _is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error,
        (
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            socket.timeout,
            ConnectionError,
            OSError,
            TemporaryDeliveryError,
        ),
    )


def _deliver_mail(payload: dict) -> None:
    from django.core.mail import EmailMessage

    EmailMessage(payload["subject"], payload["body"], None, payload["to"]).send()


# How each kind of message is delivered. Notices are written by services.notify_many, and
# services uses this module (outbox_add, outbox_dispatch): so the notice handler is registered by
# the app's ready() (outbox_handler_register) instead of being imported here.
HANDLERS = {Kind.MAIL: _deliver_mail}
# Kinds that a batch may deliver together: handler(payloads), all or nothing. Never mails: a mail
# talks to the SMTP server inside the transaction, and a batch of them committed together would
# widen the window for a duplicate from one mail's COMMIT to the whole batch.
MANY_HANDLERS: dict = {}


def outbox_handler_register(kind: str, handler, *, many=None) -> None:
    """`handler(payload)` delivers messages of `kind` inside outbox_deliver's transaction;
    `many(payloads)`, if given, a batch of them inside outbox_deliver_many's."""
    HANDLERS[kind] = handler
    if many is not None:
        MANY_HANDLERS[kind] = many


def outbox_deliver(message_id: int) -> str:
    """Deliver one message if it is still pending and nobody else holds it.

    Returns done / skipped (done already, or another worker has it) / retry / failed.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Status.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        try:
            with transaction.atomic():  # a savepoint: a failed handler leaves nothing behind
                HANDLERS[message.kind](message.payload)
        except Exception as error:
            outcome = _failed(message, error)
            message.save(update_fields=["attempts", "last_error", "status", "available_at"])
            return outcome
        message.status = Status.DONE
        message.done_at = timezone.now()
        message.payload = {}
        message.email = ""
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "done_at", "payload", "email", "last_error"])
    return "done"


def _failed(message: OutboxMessage, error: Exception) -> str:
    """Record a failed attempt on `message` (not saved): `retry` later, or `failed` for good."""
    message.last_error = f"{type(error).__name__}: {error}"[:300]
    if (message.kind == Kind.MAIL and not _is_temporary(error)) or message.attempts >= MAX_ATTEMPTS:
        message.status = Status.FAILED
        logger.warning("outbox message %s failed for good: %s", message.pk, message.last_error)
        return "failed"
    message.available_at = timezone.now() + timedelta(seconds=min(600, 5 * 2**message.attempts))
    return "retry"


def outbox_deliver_many(message_ids: list[int]) -> tuple[int, list[int]]:
    """Deliver the batchable messages (MANY_HANDLERS: notices) among `message_ids` in one
    transaction: lock the pending ones (SKIP LOCKED, as outbox_deliver), write them all with one
    handler call, mark them done with one UPDATE, commit once. A registration burst's notices
    cost a handful of queries and one COMMIT per batch instead of about ten queries and a COMMIT
    each; the worker's time went to waiting for those round trips (bench/notices.py).

    Exactly once as before: the notices and their `done` mark commit together, and a worker
    killed before the COMMIT leaves every row of the batch pending and unlocked. If the batch
    call fails (one bad notice), it is rolled back to a savepoint and each message is delivered
    on its own savepoint, so one failure stops none. Returns (done, the ids left for
    outbox_deliver: other kinds, and rows another worker holds or that are done already).
    """
    ids = list(dict.fromkeys(message_ids))
    if not MANY_HANDLERS:
        return 0, ids
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=Status.PENDING, kind__in=list(MANY_HANDLERS))
            .order_by("pk")
        )
        mine = {m.pk for m in messages}
        rest = [pk for pk in ids if pk not in mine]
        delivered: list[OutboxMessage] = []
        for kind in dict.fromkeys(m.kind for m in messages):
            group = [m for m in messages if m.kind == kind]
            try:
                with transaction.atomic():
                    MANY_HANDLERS[kind]([m.payload for m in group])
                delivered.extend(group)
                continue
            except Exception:
                logger.warning("a batch of %d %s messages failed; delivering them one by one", len(group), kind)
            for message in group:
                try:
                    with transaction.atomic():
                        HANDLERS[kind](message.payload)
                except Exception as error:
                    message.attempts += 1
                    _failed(message, error)
                    message.save(update_fields=["attempts", "last_error", "status", "available_at"])
                else:
                    delivered.append(message)  # its attempt is counted by the UPDATE below
        if delivered:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in delivered]).update(
                status=Status.DONE,
                done_at=timezone.now(),
                attempts=F("attempts") + 1,
                payload={},
                email="",
                last_error="",
            )
    return len(delivered), rest


def outbox_redrive(*, now=None) -> int:
    """Hand every pending message that should have been delivered by now to Celery again."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=Status.PENDING, available_at__lte=now - REDRIVE_AFTER)
        .order_by("available_at")
        .values_list("pk", flat=True)[:REDRIVE_BATCH]
    )
    for start in range(0, len(ids), 200):
        outbox_dispatch(ids[start : start + 200])
    return len(ids)


def outbox_erase_email(email: str) -> int:
    """Erasure: pending mails to this address are dropped (sent ones keep no address)."""
    deleted, _ = OutboxMessage.objects.filter(email__iexact=email).delete()
    return deleted
