"""E-mail delivery: retried on temporary SMTP failures, never sent twice, failures recorded."""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from notifications.models import EmailDelivery, Notification
from notifications.services import notify
from notifications.tasks import deliver, email_send, emails_resend_pending

from ..factories import candidate

BACKEND = "tests.notifications.test_email_delivery.ScriptedBackend"


class ScriptedBackend(BaseEmailBackend):
    """An SMTP stand-in that fails as scripted (outside our code: the mail server), then accepts."""

    failures: list = []
    sent: list = []
    lock = threading.Lock()
    seconds = 0.0  # how long the server takes to answer

    def send_messages(self, messages):
        time.sleep(ScriptedBackend.seconds)
        with self.lock:
            if ScriptedBackend.failures:
                raise ScriptedBackend.failures.pop(0)
            ScriptedBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = BACKEND
    ScriptedBackend.failures, ScriptedBackend.sent, ScriptedBackend.seconds = [], [], 0.0
    yield ScriptedBackend
    ScriptedBackend.seconds = 0.0


def announce(user):
    return notify(user=user, kind="announcement", context={"title": "专场", "body": "改到B馆", "author": "主办方"})


@pytest.mark.django_db
def test_temporary_failure_is_retried_and_sent_once(smtp, django_capture_on_commit_callbacks):
    smtp.failures = [smtplib.SMTPServerDisconnected("connection lost")]
    person = candidate()
    with django_capture_on_commit_callbacks(execute=True):
        note = announce(person)
    delivery = EmailDelivery.objects.get(notification=note)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "SMTPServerDisconnected: connection lost"
    assert smtp.sent == []
    assert email_send.delay(note.pk).get() == "sent"
    assert email_send.delay(note.pk).get() == "skipped"  # a duplicate after success does nothing
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert [m.to for m in smtp.sent] == [[person.email]]


@pytest.mark.django_db
def test_deliver_sends_the_row_it_was_given_and_no_other(smtp):
    first, second = announce(candidate()), announce(candidate())  # on_commit not run: both pending
    rows = {note.pk: EmailDelivery.objects.get(notification=note) for note in (first, second)}
    assert deliver(rows[second.pk].pk) == "sent"
    assert [m.to for m in smtp.sent] == [[second.user.email]]
    assert EmailDelivery.objects.get(notification=first).status == "pending"
    assert deliver(rows[second.pk].pk) == "skipped"  # done already


@pytest.mark.django_db
def test_4xx_is_temporary_and_5xx_is_permanent(smtp, django_capture_on_commit_callbacks):
    smtp.failures = [smtplib.SMTPDataError(451, b"try again later")]
    with django_capture_on_commit_callbacks(execute=True):
        note = announce(candidate())
    assert EmailDelivery.objects.get(notification=note).status == "pending"
    smtp.failures = [smtplib.SMTPRecipientsRefused({"x@example.cn": (550, b"no such user")})]
    assert email_send.delay(note.pk).get() == "failed"
    delivery = EmailDelivery.objects.get(notification=note)
    assert delivery.status == "failed" and delivery.last_error.startswith("SMTPRecipientsRefused")
    assert email_send.delay(note.pk).get() == "skipped" and smtp.sent == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error, status",
    [
        (smtplib.SMTPDataError(400, b"lowest 4xx"), "pending"),
        (smtplib.SMTPDataError(499, b"highest 4xx"), "pending"),
        (smtplib.SMTPDataError(500, b"lowest 5xx"), "failed"),
        (smtplib.SMTPDataError(399, b"not an error code"), "failed"),
        # Refused recipients: temporary only if every refusal is; one permanent refusal is final.
        (smtplib.SMTPRecipientsRefused({"a@example.cn": (450, b"busy"), "b@example.cn": (451, b"later")}), "pending"),
        (
            smtplib.SMTPRecipientsRefused({"a@example.cn": (451, b"later"), "b@example.cn": (550, b"no such user")}),
            "failed",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@example.cn": (550, b"no such user"), "b@example.cn": (451, b"later")}),
            "failed",
        ),
        (smtplib.SMTPRecipientsRefused({"a@example.cn": (400, b"later")}), "pending"),
        (smtplib.SMTPRecipientsRefused({"a@example.cn": (499, b"later")}), "pending"),
        (smtplib.SMTPRecipientsRefused({"a@example.cn": (500, b"no")}), "failed"),
        (ValueError("a bug in rendering"), "failed"),
    ],
)
def test_which_smtp_answers_are_retried(smtp, django_capture_on_commit_callbacks, error, status):
    smtp.failures = [error]
    with django_capture_on_commit_callbacks(execute=True):
        note = announce(candidate())
    delivery = EmailDelivery.objects.get(notification=note)
    assert (delivery.status, delivery.attempts) == (status, 1)
    assert delivery.last_error.startswith(type(error).__name__)


@pytest.mark.django_db
def test_sweeper_requeues_only_stale_pending(smtp, django_capture_on_commit_callbacks):
    smtp.failures = [ConnectionRefusedError("refused")] * 2
    with django_capture_on_commit_callbacks(execute=True):
        old, fresh = announce(candidate()), announce(candidate())
    # Its last attempt (claimed_at) is older than any retry countdown: the retry was lost.
    EmailDelivery.objects.filter(notification=old).update(
        created_at=timezone.now() - timedelta(hours=1), claimed_at=timezone.now() - timedelta(minutes=12)
    )
    assert emails_resend_pending.delay().get() == 1
    assert EmailDelivery.objects.get(notification=old).status == "sent"
    assert EmailDelivery.objects.get(notification=fresh).status == "pending"
    assert len(smtp.sent) == 1


@pytest.mark.django_db
def test_sweeper_picks_exactly_the_stale_rows_at_each_boundary(smtp):
    """emails_redrive(now=...) over one row per case, each a little inside or outside its limit
    (STALE_PENDING 1 min, a retry's countdown at most RETRY_MAX_S + STALE_PENDING = 11 min,
    STALE_SENDING 5 min, MAX_ATTEMPTS 6)."""
    from notifications.tasks import emails_redrive

    smtp.failures = [ConnectionRefusedError("refused")] * 20  # every first attempt stays pending
    # Notifications without an e-mail row, so that the notifications' ids run ahead of the e-mail
    # rows' ids and the sweeper must queue the right one (an e-mail row created and deleted again
    # would advance both sequences alike).
    someone = candidate()
    for _ in range(3):
        Notification.objects.create(user=someone, kind="announcement", title="无邮件")
    now = timezone.now()

    def minutes(m):
        return now - timedelta(minutes=m)

    cases = {  # name: (status, created, claimed, attempts) -> status after the sweep
        "never tried, written 2 min ago": (("pending", minutes(2), None, 0), "sent"),
        "never tried, written 30 s ago": (("pending", minutes(0.5), None, 0), "pending"),
        "tried 1 min ago, written 1 h ago": (("pending", minutes(60), minutes(1), 1), "pending"),
        "tried 10.5 min ago (a retry may be due)": (("pending", minutes(60), minutes(10.5), 1), "pending"),
        "tried 12 min ago (the retry was lost)": (("pending", minutes(60), minutes(12), 1), "sent"),
        "tried 6 times": (("pending", minutes(60), minutes(60), 6), "pending"),
        "sending for 4 min": (("sending", minutes(60), minutes(4), 1), "sending"),
        "sending for 6 min": (("sending", minutes(60), minutes(6), 1), "failed"),
    }
    rows = {}
    for name, ((status, created, claimed, attempts), _after) in cases.items():
        note = announce(candidate())
        EmailDelivery.objects.filter(notification=note).update(
            status=status, created_at=created, claimed_at=claimed, attempts=attempts
        )
        rows[name] = note
    assert all(note.pk != note.email.pk for note in rows.values())
    smtp.failures = []
    assert emails_redrive(now=now) == 2
    after = {name: EmailDelivery.objects.get(notification=note).status for name, note in rows.items()}
    assert after == {name: expected for name, (_row, expected) in cases.items()}
    assert sorted(m.to[0] for m in smtp.sent) == sorted(
        rows[n].user.email for n, (_r, e) in cases.items() if e == "sent"
    )


@pytest.mark.django_db
def test_the_sweeper_queues_at_most_a_thousand_e_mails_a_run(monkeypatch):
    """A backlog (a long broker outage) goes out a thousand per run; the next run takes the rest."""
    from notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.email_send, "delay", queued.append)
    person = candidate()
    notes = Notification.objects.bulk_create(
        Notification(user=person, kind="announcement", title=f"积压 {i}") for i in range(1001)
    )
    now = timezone.now()
    EmailDelivery.objects.bulk_create(
        EmailDelivery(notification=note, created_at=now - timedelta(minutes=2)) for note in notes
    )
    assert tasks.emails_redrive(now=now) == 1000
    assert len(queued) == len(set(queued)) == 1000
    EmailDelivery.objects.filter(notification_id__in=queued).update(status="sent")
    assert tasks.emails_redrive(now=now) == 1
    assert set(queued) == {note.pk for note in notes}


@pytest.mark.django_db
def test_sweeper_never_resends_an_interrupted_send(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = announce(candidate())
    EmailDelivery.objects.filter(notification=note).update(
        status="sending", claimed_at=timezone.now() - timedelta(hours=2)
    )
    assert emails_resend_pending.delay().get() == 0
    delivery = EmailDelivery.objects.get(notification=note)
    assert (delivery.status, delivery.last_error) == (
        "failed",
        "interrupted while sending; may or may not have been delivered",
    )
    assert len(smtp.sent) == 1


def race_to_deliver(note, racers=8) -> list[str]:
    EmailDelivery.objects.filter(notification=note).update(status="pending")  # as if a retry were due
    delivery_id = EmailDelivery.objects.get(notification=note).pk
    barrier = threading.Barrier(racers)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(deliver(delivery_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_deliveries_send_once(postgres, smtp):
    note = announce(candidate())  # autocommit: on_commit ran, sent once already
    assert len(smtp.sent) == 1
    assert sorted(race_to_deliver(note)) == ["sent"] + ["skipped"] * 7
    assert len(smtp.sent) == 2  # the original and exactly one of the eight racing retries


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_racing_deliveries_send_twice(postgres, smtp, monkeypatch):
    """deliver() without its row lock (SELECT ... FOR UPDATE SKIP LOCKED): the same race must now
    send the e-mail more than once, or the test above proves nothing."""
    note = announce(candidate())
    unlocked = EmailDelivery.objects.all()
    monkeypatch.setattr(EmailDelivery.objects, "select_for_update", lambda **options: unlocked)
    # The SMTP conversation takes 50 ms, as a real server's does: every racer reads the row as
    # `pending` before the first one commits `sent`, on every run, not by the scheduler's luck.
    smtp.seconds = 0.05
    results = race_to_deliver(note)
    assert results.count("sent") > 1, results
    assert len(smtp.sent) > 2, f"without the lock the e-mail should go out more than once, got {len(smtp.sent) - 1}"


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped_at_once_not_waited_for(postgres, smtp):
    """SKIP LOCKED: while one worker is in the middle of sending (its transaction holds the row),
    a second copy of the task walks away at once instead of waiting for the SMTP conversation
    to end (which would tie up a worker for as long, and then find it sent)."""
    from django.db import connections, transaction

    note = announce(candidate())
    EmailDelivery.objects.filter(notification=note).update(status="pending")
    delivery_id = EmailDelivery.objects.get(notification=note).pk
    held, release, results = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                EmailDelivery.objects.select_for_update().get(pk=delivery_id)
                held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def second_copy():
        try:
            results.append(deliver(delivery_id))
        finally:
            connections.close_all()

    holding = threading.Thread(target=holder)
    holding.start()
    assert held.wait(timeout=10)
    copy = threading.Thread(target=second_copy)
    copy.start()
    copy.join(timeout=5)
    waited = copy.is_alive()
    release.set()
    holding.join()
    copy.join()
    assert not waited, "deliver() waited for the row lock instead of skipping the row"
    assert results == ["skipped"]


@pytest.mark.django_db
def test_a_row_tried_moments_ago_is_left_to_its_retry_not_the_sweeper(smtp, django_capture_on_commit_callbacks):
    """deliver() stamps the attempt (claimed_at): the sweeper then waits for the task's own retry
    instead of treating the row as never tried and sending a second attempt after one minute."""
    from notifications.tasks import emails_redrive

    smtp.failures = [smtplib.SMTPServerDisconnected("connection lost")]
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        note = announce(candidate())
    delivery = EmailDelivery.objects.get(notification=note)
    assert delivery.status == "pending" and before <= delivery.claimed_at <= timezone.now()
    assert emails_redrive(now=timezone.now() + timedelta(minutes=2)) == 0
    assert emails_redrive(now=timezone.now() + timedelta(minutes=12)) == 1  # the retry was lost
    assert [m.to for m in smtp.sent] == [[note.user.email]]


@pytest.mark.django_db
def test_what_a_delivery_records_and_answers(smtp):
    """The sixth temporary failure is final; the error is cut to the column's 300 characters
    (longer fails on PostgreSQL); a sent row has its time; the task's answers inline."""
    on_hold, fails_for_good, goes_out = (announce(candidate()) for _ in range(3))
    no_email = announce(candidate())
    EmailDelivery.objects.filter(notification=no_email).delete()
    EmailDelivery.objects.filter(notification=fails_for_good).update(attempts=5)
    smtp.failures = [smtplib.SMTPServerDisconnected("x" * 1000), smtplib.SMTPServerDisconnected("lost again")]
    assert email_send.delay(on_hold.pk).get() == "pending"  # inline: the sweeper retries it
    held = EmailDelivery.objects.get(notification=on_hold)
    assert (held.status, held.attempts, len(held.last_error)) == ("pending", 1, 300)
    assert email_send.delay(fails_for_good.pk).get() == "failed"
    assert EmailDelivery.objects.get(notification=fails_for_good).attempts == 6
    before = timezone.now()
    assert email_send.delay(goes_out.pk).get() == "sent"
    assert before <= EmailDelivery.objects.get(notification=goes_out).sent_at <= timezone.now()
    assert email_send.delay(no_email.pk).get() == "skipped"
