"""The worker's batches: a batch of outbox notices is written with the same handful of queries
whatever its size, and a batch of e-mails is sent by the batch task itself through one SMTP
session, a temporary failure going on as an email_send retry with the usual backoff.

Measured in bench/notices.py: before, each notice cost about ten queries and a COMMIT, and each
e-mail a Celery task, a PostgreSQL connection and an SMTP session of its own. Real PostgreSQL,
Redis (the tasks queued are read back from it) and SMTP server (aiosmtpd); nothing mocked."""

import base64
import json
import threading
import time

import pytest
import redis
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import outbox, tasks
from notifications.models import EmailDelivery, Notification, OutboxMessage
from tests.factories import candidate

from ..liveserver import free_port
from .worker_support import Handler, queued, smtp_controller

pytestmark = pytest.mark.django_db(transaction=True)


def _outbox_notices(people, kind="announcement") -> list[int]:
    rows = [
        OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.NOTICE,
            payload={"user_ids": [p.pk], "kind": kind, "context": {"title": f"改到B馆 {p.pk}", "body": "b"}},
        )
        for p in people
    ]
    return [row.pk for row in rows]


def _queries_of_a_batch(size: int) -> int:
    ids = _outbox_notices([candidate() for _ in range(size)])
    with CaptureQueriesContext(connection) as captured:
        assert tasks.outbox_deliver_batch(ids) == size
    return len(captured.captured_queries)


def test_a_batch_of_notices_costs_the_same_queries_whatever_its_size(postgres, worker_queue, redis_url):
    small, large = _queries_of_a_batch(2), _queries_of_a_batch(12)
    # One notice each was about ten queries and a COMMIT (lock, person, insert, preferences,
    # e-mail row, done mark, savepoint): 2 -> ~20, 12 -> ~120.
    assert small == large <= 16, (small, large)
    assert Notification.objects.count() == 14 and EmailDelivery.objects.count() == 14
    assert not OutboxMessage.objects.exclude(status="done").exists()
    assert all(row == (1, {}) for row in OutboxMessage.objects.values_list("attempts", "payload"))
    # Each batch: one e-mail task with all its notices.
    assert [name for name, _args, _kwargs in queued(redis_url, worker_queue)] == [
        "notifications.tasks.email_send_batch"
    ] * 2


def test_a_bad_notice_in_a_batch_stops_none_and_is_retried_later(postgres, worker_queue):
    people = [candidate() for _ in range(3)]
    ids = _outbox_notices(people[:1]) + _outbox_notices(people[1:2], kind="no.such.kind") + _outbox_notices(people[2:])
    assert tasks.outbox_deliver_batch(ids) == 2
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == [people[0].pk, people[2].pk]
    bad = OutboxMessage.objects.get(pk=ids[1])
    assert (bad.status, bad.attempts) == ("pending", 1) and "no.such.kind" in bad.last_error
    assert bad.available_at > timezone.now()  # backed off, then re-driven
    assert list(OutboxMessage.objects.filter(pk__in=[ids[0], ids[2]]).values_list("status", flat=True)) == [
        "done",
        "done",
    ]
    # A second delivery of the same batch (a re-drive, a duplicate task) writes nothing again.
    assert tasks.outbox_deliver_batch([ids[0], ids[2]]) == 0
    assert Notification.objects.count() == 2


def test_racing_batches_write_each_notice_once(postgres, worker_queue, monkeypatch):
    """Four workers get the same batch at once (a re-drive racing the first task)."""
    people = [candidate() for _ in range(5)]
    ids = _outbox_notices(people)
    many = outbox.MANY_HANDLERS["notice"]

    def slow(payloads):  # widen the window, so the race really happens
        many(payloads)
        time.sleep(0.3)

    monkeypatch.setitem(outbox.MANY_HANDLERS, "notice", slow)
    barrier = threading.Barrier(4)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(tasks.outbox_deliver_batch(ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 5]
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(p.pk for p in people)


class CountingHandler(Handler):
    """Also counts the SMTP sessions (one EHLO each)."""

    sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses


@pytest.fixture
def smtp(settings):
    handler = CountingHandler()
    controller = smtp_controller(handler)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.BOJU_EMAIL_RETRY_SECONDS = 15
    yield handler
    controller.stop()


def _emails(n: int) -> list[int]:
    people = [candidate() for _ in range(n)]
    with transaction.atomic():
        notes = [
            Notification.objects.create(
                user=p, kind="announcement", context={}, title=f"公告 {p.pk}", body="请带身份证"
            )
            for p in people
        ]
        EmailDelivery.objects.bulk_create([EmailDelivery(notification=n) for n in notes])
    return [n.pk for n in notes]


def _envelopes(redis_url, queue):
    return [json.loads(raw) for raw in reversed(redis.Redis.from_url(redis_url).lrange(queue, 0, -1))]


def test_a_batch_of_emails_is_sent_by_the_batch_task_through_one_session(postgres, smtp, worker_queue, redis_url):
    ids = _emails(4)
    assert tasks.email_send_batch(ids) == 4  # as the worker runs it
    assert sorted(e.rcpt_tos[0] for e in smtp.accepted) == sorted(
        Notification.objects.filter(pk__in=ids).values_list("user__email", flat=True)
    )
    assert smtp.sessions == 1
    assert queued(redis_url, worker_queue) == []  # no task per e-mail
    assert set(EmailDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    # A re-run (a worker killed after the batch, acks_late) sends nothing twice.
    assert tasks.email_send_batch(ids) == 0
    assert len(smtp.accepted) == 4


def test_a_long_list_of_emails_is_split_into_batches_the_processes_share(postgres, worker_queue, redis_url):
    ids = list(range(1, 2 * tasks.EMAIL_BATCH_MAX + 2))
    assert tasks.email_send_batch(ids) == 0
    limit = tasks.EMAIL_BATCH_MAX
    assert queued(redis_url, worker_queue) == [
        ("notifications.tasks.email_send_batch", [ids[:limit]], {}),
        ("notifications.tasks.email_send_batch", [ids[limit : 2 * limit]], {}),
        ("notifications.tasks.email_send_batch", [ids[2 * limit :]], {}),
    ]


def test_a_temporary_failure_in_a_batch_is_retried_alone_with_the_usual_backoff(
    postgres, smtp, worker_queue, redis_url
):
    smtp.refused = 0  # the first DATA gets a 451
    ids = _emails(3)
    before = time.time()
    assert tasks.email_send_batch(ids) == 2
    assert len(smtp.accepted) == 2
    first = EmailDelivery.objects.get(notification_id=ids[0])
    assert (first.status, first.attempts) == ("pending", 1) and "451" in first.last_error
    # Handed on as email_send's first retry: after BOJU_EMAIL_RETRY_SECONDS, with retries=1,
    # so its next failure waits twice as long, exactly as a single e-mail's retries do.
    (envelope,) = _envelopes(redis_url, worker_queue)
    headers = envelope["headers"]
    assert (headers["task"], headers["retries"]) == ("notifications.tasks.email_send", 1)
    assert json.loads(base64.b64decode(envelope["body"]))[0] == [ids[0]]
    eta = timezone.datetime.fromisoformat(headers["eta"]).timestamp()
    assert 14 <= eta - before <= 17 + (time.time() - before)


def test_an_unreachable_server_defers_the_rest_of_the_batch_untried(postgres, settings, worker_queue, redis_url):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    ids = _emails(5)
    assert tasks.email_send_batch(ids) == 0
    attempts = dict(EmailDelivery.objects.values_list("notification_id", "attempts"))
    # Two refused connections in a row: the server is down; the other three were not tried.
    assert [attempts[i] for i in ids] == [1, 1, 0, 0, 0]
    assert not EmailDelivery.objects.exclude(status="pending").exists()
    sent = [(e["headers"]["task"], e["headers"]["retries"]) for e in _envelopes(redis_url, worker_queue)]
    assert sent == [("notifications.tasks.email_send", 1)] * 2 + [("notifications.tasks.email_send", 0)] * 3


def _sessions_opened() -> int:
    """Connections PostgreSQL has accepted to the test database so far (PostgreSQL 14+)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_deployed_worker_keeps_its_database_connections_between_tasks(postgres, worker_queue, redis_url):
    """The deployed worker: prefork pool, DATABASE_POOL_MAX from boju.env. Celery's Django fixup
    closed the connections and the pool (building a new one to close it) before and after every
    task: a registration burst's tasks each opened two or more PostgreSQL connections."""
    from .worker_support import run_worker_until, start_worker

    people = [candidate() for _ in range(12)]
    ids = _outbox_notices(people)
    outbox.outbox_dispatch(ids[:2])  # the worker's start-up and first task open what it keeps
    process, log = start_worker(worker_queue, redis_url, prefork=True, DATABASE_POOL_MAX="4")
    try:
        deadline = time.monotonic() + 60
        while Notification.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # PostgreSQL publishes its session count within a second
        before = _sessions_opened()
        for start in range(2, 12, 2):  # five tasks, and their five e-mail tasks
            outbox.outbox_dispatch(ids[start : start + 2])
        output = run_worker_until(
            process,
            log,
            lambda: Notification.objects.count() == 12 and not EmailDelivery.objects.exclude(status="sent").exists(),
        )
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
    time.sleep(1.5)
    opened = _sessions_opened() - before
    assert Notification.objects.count() == 12, output
    # This test's own reads open none (one connection); the worker's are kept: before, 10 tasks
    # opened 20 or more.
    assert opened <= 2, f"{opened} PostgreSQL connections opened for 10 tasks"
