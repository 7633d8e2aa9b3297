"""Celery tasks: e-mail delivery (retried on temporary SMTP trouble, never sent twice) and the
periodic reminders. On the embedded default they run inline (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)
Status = EmailDelivery.Status

MAX_ATTEMPTS = 6
# Re-queue e-mails still `pending` this long after they were written (a broker outage at commit).
STALE_PENDING = timedelta(minutes=10)
STALE_SENDING = timedelta(hours=1)


class TemporaryEmailError(Exception):
    pass


def _is_temporary(error: Exception) -> bool:
    """A failure worth retrying: the server is unreachable or said 4xx (try again later)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout,
                              ConnectionError, OSError))


def deliver(delivery_id: int) -> str:
    """Send one notification's e-mail if nobody has yet. Returns sent / skipped / failed.

    The claim is one UPDATE ... WHERE status = 'pending': of two workers (or a retry racing a
    late duplicate) exactly one gets the row. A send that succeeded is marked `sent` and is
    never claimed again. Raises TemporaryEmailError (after putting the row back to `pending`)
    when the SMTP server failed in a way worth retrying.
    """
    now = timezone.now()
    claimed = EmailDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "skipped"
    delivery = EmailDelivery.objects.select_related("notification", "notification__user").get(pk=delivery_id)
    from .rendering import build_email

    try:
        build_email(delivery.notification).send()
    except Exception as error:  # noqa: BLE001 - classified below
        message = f"{type(error).__name__}: {error}"[:300]
        if _is_temporary(error) and delivery.attempts < MAX_ATTEMPTS:
            EmailDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
                status=Status.PENDING, last_error=message)
            raise TemporaryEmailError(message) from error
        EmailDelivery.objects.filter(pk=delivery_id).update(status=Status.FAILED, last_error=message)
        logger.warning("e-mail of notification %s failed for good: %s", delivery.notification_id, message)
        return "failed"
    EmailDelivery.objects.filter(pk=delivery_id).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


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
        base = getattr(settings, "BOJU_EMAIL_RETRY_SECONDS", 15)
        raise self.retry(exc=error, countdown=min(600, base * 2 ** self.request.retries))


@shared_task
def email_send_batch(notification_ids: list[int]) -> int:
    """Fan a batch out into one task per e-mail, so each is retried on its own."""
    for notification_id in notification_ids:
        email_send.delay(notification_id)
    return len(notification_ids)


@shared_task
def emails_resend_pending() -> int:
    """Re-queue e-mails left `pending` (the broker was down at commit, or inline retries ran out).

    A row stuck in `sending` (the worker died mid-send) is never resent — the server may have
    accepted it — but marked `failed` with that reason, so it shows in the admin.
    """
    now = timezone.now()
    EmailDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Status.FAILED, last_error="interrupted while sending; may or may not have been delivered")
    stale = EmailDelivery.objects.filter(status=Status.PENDING, created_at__lt=now - STALE_PENDING,
                                         attempts__lt=MAX_ATTEMPTS)
    ids = list(stale.values_list("notification_id", flat=True)[:1000])
    for notification_id in ids:
        email_send.delay(notification_id)
    return len(ids)


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
