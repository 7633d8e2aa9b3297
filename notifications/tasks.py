"""Celery tasks: e-mail delivery (retried on temporary SMTP trouble, never sent twice) and the
periodic reminders. On the embedded default they run inline (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status

MAX_ATTEMPTS = 6
# Re-queue e-mails still `pending` this long after they were written (a broker outage at commit).
# Re-queue e-mails still `pending` this long after they were written (a broker outage at commit,
# a restarted Redis that lost the task) or after their last attempt (a retry's countdown is at
# most RETRY_MAX_S, so a longer silence means the retry itself was lost).
STALE_PENDING = timedelta(minutes=1)
RETRY_MAX_S = 600
# Rows left `sending` by the old claim-then-send code (before the row lock, see deliver()).
STALE_SENDING = timedelta(minutes=5)


class TemporaryEmailError(Exception):
    pass


def _is_temporary(error: Exception) -> bool:
    """A failure worth retrying: the server is unreachable or said 4xx (try again later)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError, OSError)
    )


def deliver(delivery_id: int, *, connection=None, notification=None) -> str:
    """Send one notification's e-mail if nobody has yet. Returns sent / skipped / failed.

    The row is locked (SELECT ... FOR UPDATE SKIP LOCKED) for the whole send, in one transaction
    that ends with `sent`: of two workers (or a retry racing a late duplicate) exactly one gets
    it, and the other walks away. A worker killed mid-send leaves no "sending" row to resolve:
    PostgreSQL rolls its transaction back when the connection dies, the row is `pending` again
    and the sweeper re-drives it within minutes. The only window for a duplicate is between the
    SMTP server's "250 OK" and our COMMIT. Raises TemporaryEmailError (after putting the row back
    to `pending`) when the SMTP server failed in a way worth retrying.

    `connection`: an open e-mail backend to send through (email_send_batch: one SMTP session
    for a batch); by default the message opens and closes its own. `notification`: the row's
    notification with its user, read by the caller for a whole batch at once.
    """
    from django.db import transaction

    from .rendering import build_email

    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=Status.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        if notification is not None:
            delivery.notification = notification  # read before the lock, with the batch's others
        delivery.attempts += 1
        delivery.claimed_at = timezone.now()
        notification = delivery.notification
        try:
            email = build_email(notification)
            if connection is not None:
                connection.open()  # no-op when open; a refused connection fails this e-mail
                email.connection = connection
            email.send()
        except Exception as error:
            message = f"{type(error).__name__}: {error}"[:300]
            delivery.last_error = message
            if _is_temporary(error) and delivery.attempts < MAX_ATTEMPTS:
                delivery.save(update_fields=["attempts", "claimed_at", "last_error"])
                temporary = TemporaryEmailError(message)
                temporary.unreachable = _is_unreachable(error)
            else:
                delivery.status = Status.FAILED
                delivery.save(update_fields=["attempts", "claimed_at", "last_error", "status"])
                logger.warning("e-mail of notification %s failed for good: %s", notification.pk, message)
                return "failed"
        else:
            delivery.status = Status.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=["attempts", "claimed_at", "status", "sent_at", "last_error"])
            return "sent"
    raise temporary from None


def _is_unreachable(error: Exception) -> bool:
    """The SMTP server itself is gone (not one message refused): the rest of a batch would fail too."""
    return not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused) and _is_temporary(error)


def _retry_countdown(retries: int) -> int:
    base = getattr(settings, "BOJU_EMAIL_RETRY_SECONDS", 15)
    return min(RETRY_MAX_S, base * 2**retries)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True)
def email_send(self, notification_id: int) -> str:
    """The e-mail of one notification (by notification id; its EmailDelivery row holds the state)."""
    delivery_id = EmailDelivery.objects.filter(notification_id=notification_id).values_list("pk", flat=True).first()
    if delivery_id is None:
        return "skipped"
    try:
        return deliver(delivery_id)
    except TemporaryEmailError as error:
        if self.request.is_eager:
            # Inline (embedded default): no worker to come back later; the sweeper retries it.
            return "pending"
        raise self.retry(exc=error, countdown=_retry_countdown(self.request.retries)) from error


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a session the server already dropped: the next e-mail opens a new one
        logger.info("closing the SMTP connection failed", exc_info=True)


# E-mails one email_send_batch task sends itself; a longer list is split into tasks of this many.
EMAIL_BATCH_MAX = 100


@shared_task(bind=True, acks_late=True)
def email_send_batch(self, notification_ids: list[int]) -> int:
    """The e-mails of a batch of notifications in this task, through one SMTP session.

    Each e-mail is still its own deliver(): its own row lock and transaction, sent once. One that
    fails for a reason worth retrying goes on as an email_send task after the countdown its first
    retry would have had, counted as that retry, so it then backs off exactly as a single e-mail
    does; and when the server is unreachable (twice in a row) the rest of the batch goes the same
    way untried, instead of each waiting for its own connect timeout. A re-run of the batch (a
    worker killed mid-batch: acks_late) skips what was sent. Before, this task queued one
    email_send task per e-mail, and the worker spent about half of a burst's time on those tasks
    (a task, a database connection and an SMTP session each: bench/notices.py).
    """
    from django.core.mail import get_connection

    if len(notification_ids) > EMAIL_BATCH_MAX and not self.request.is_eager:
        # An announcement to thousands: chunks the worker's processes share, each a bounded task.
        for start in range(0, len(notification_ids), EMAIL_BATCH_MAX):
            email_send_batch.delay(notification_ids[start : start + EMAIL_BATCH_MAX])
        return 0
    from .models import Notification

    # The batch's notifications and people in one query; each row is still locked on its own.
    notes = {
        n.pk: n
        for n in Notification.objects.filter(pk__in=notification_ids, email__status=Status.PENDING).select_related(
            "user", "email"
        )
    }
    todo = [nid for nid in dict.fromkeys(notification_ids) if nid in notes]
    connection = get_connection()
    sent = unreachable = 0
    try:
        for index, notification_id in enumerate(todo):
            try:
                note = notes[notification_id]
                sent += deliver(note.email.pk, connection=connection, notification=note) == "sent"
                unreachable = 0
            except TemporaryEmailError as error:
                _close_quietly(connection)  # the next e-mail opens a new session
                _retry_later(self, [notification_id], retries=1)
                # Twice in a row (a server may also just end a long session): it is down.
                unreachable = unreachable + 1 if error.unreachable else 0
                if unreachable >= 2:
                    _retry_later(self, todo[index + 1 :], retries=0)
                    break
            except Exception:
                # Not the mail's fault (the database, a template): the row stays pending and the
                # sweeper (emails_resend_pending) re-drives it, as when a single task failed.
                logger.exception("e-mail of notification %s failed", notification_id)
                _close_quietly(connection)
    finally:
        _close_quietly(connection)
    return sent


def _retry_later(batch_task, notification_ids: list[int], *, retries: int) -> None:
    """Hand e-mails of a batch to email_send after the countdown of retry number `retries`
    (0: not tried yet), with Celery's retry count set to match, so its backoff continues."""
    if batch_task.request.is_eager:
        return  # inline (embedded default): the sweeper retries them, as email_send does
    for notification_id in notification_ids:
        try:
            email_send.apply_async((notification_id,), countdown=_retry_countdown(max(0, retries - 1)), retries=retries)
        except Exception:  # the broker is down: the row stays pending and the sweeper re-drives it
            logger.warning("re-queueing the e-mail of notification %s failed", notification_id, exc_info=True)


@shared_task
def emails_resend_pending() -> int:
    """Re-queue e-mails left `pending`: never tried for STALE_PENDING (the broker was down at
    commit, Redis lost the task), or silent since their last attempt for longer than any retry
    countdown (the retry was lost). Sending twice is impossible: see deliver().

    A row left `sending` by the old claim-then-send code is never resent — the server may have
    accepted it — but marked `failed` with that reason after STALE_SENDING, so it shows in the admin.
    """
    return emails_redrive()


def emails_redrive(*, now=None) -> int:
    """emails_resend_pending() as a plain function (`now` for tests and the fault bench)."""
    from django.db.models import Q

    now = now or timezone.now()
    EmailDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Status.FAILED, last_error="interrupted while sending; may or may not have been delivered"
    )
    stale = EmailDelivery.objects.filter(
        Q(claimed_at__isnull=True, created_at__lt=now - STALE_PENDING)
        | Q(claimed_at__lt=now - timedelta(seconds=RETRY_MAX_S) - STALE_PENDING),
        status=Status.PENDING,
        attempts__lt=MAX_ATTEMPTS,
    )
    ids = list(stale.values_list("notification_id", flat=True)[:1000])
    for notification_id in ids:
        email_send.delay(notification_id)
    return len(ids)


@shared_task(acks_late=True)  # a re-run is harmless: outbox_deliver() does each message once
def outbox_deliver_task(message_id: int) -> str:
    from .outbox import outbox_deliver

    return outbox_deliver(message_id)


@shared_task(acks_late=True)
def outbox_deliver_batch(message_ids: list[int]) -> int:
    """A burst of outbox messages in one task: the notices in one transaction (outbox_deliver_many),
    anything else each in its own; one failure stops none. The notices' pushes and e-mails go out
    together at the end (services.notices_gathered)."""
    from .outbox import outbox_deliver, outbox_deliver_many
    from .services import notices_gathered

    done = 0
    with notices_gathered():
        try:
            done, rest = outbox_deliver_many(message_ids)
        except Exception:  # the batch's transaction failed as a whole: nothing of it was kept
            logger.exception("a batch of %d outbox messages failed; delivering them one by one", len(message_ids))
            rest = message_ids
        for message_id in rest:  # mails, and rows another worker holds or that are done
            try:
                done += outbox_deliver(message_id) == "done"
            except Exception:
                logger.exception("outbox message %s failed", message_id)
    return done


@shared_task
def outbox_redrive() -> int:
    """Every 30 s (Celery beat): hand pending outbox messages to the worker again."""
    from .outbox import outbox_redrive as redrive

    return redrive()


# Tasks queued by the code before the outbox (kept so messages already in Redis at deploy time
# are still delivered; nothing queues them any more).
@shared_task(acks_late=False)  # at most once: a re-run after a crash would tell people twice
def notify_task(user_ids: list[int], kind: str, context: dict) -> int:
    """notify_many() in the worker (see services.notify_later)."""
    from .services import notify_many

    return len(notify_many(user_ids=user_ids, kind=kind, context=context))


@shared_task(acks_late=False)  # at most once, like notify_task
def notify_batch_task(items: list) -> int:
    """notify_task for a batch of [user_ids, kind, context] gathered by services.notify_later.
    One notice that fails is logged and does not stop the others."""
    from .services import notify_many

    sent = 0
    for user_ids, kind, context in items:
        try:
            sent += len(notify_many(user_ids=user_ids, kind=kind, context=context))
        except Exception:
            logger.exception("notification %s for %s failed", kind, user_ids)
    return sent


@shared_task
def reminders_send() -> int:
    """Every few minutes (Celery beat): the 24 h and 2 h reminders that are due and not yet sent."""
    from .reminders import reminders_run

    return reminders_run()
