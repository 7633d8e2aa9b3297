"""The issue's test: kill the worker and restart Redis in the middle of a registration burst;
every registration then gets exactly one notice and one e-mail.

Real processes: PostgreSQL (the test database), a redis-server of the test's own (stopped,
started and restarted here; never the shared one), Celery workers as subprocesses (the first
is killed with SIGKILL), and an SMTP server (aiosmtpd) that is down during the burst and up
after it. The mail server being down while the worker dies is deliberate: a worker killed in
the middle of an SMTP conversation cannot know whether the server took the message, and that
millisecond window (between the server's "250 OK" and our COMMIT) is the one duplicate no design
can close; everything else must be exactly once, and is what this test checks.

Slow: about 40 s (two worker start-ups and the re-drive loop).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from events.models import Registration
from events.services import registration_create
from notifications import outbox
from notifications.models import EmailDelivery, Notification, OutboxMessage
from notifications.tasks import emails_redrive

from ..factories import EventFactory, candidate
from ..liveserver import free_port
from ..liveserver import test_database_url as database_url
from .support import celery_use_broker, own_redis, start_worker, stop_worker  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
BURST = 24


class Recorder:
    def __init__(self):
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def broker(own_redis):
    """The test process queues its tasks to the test's own Redis, on a queue of its own."""
    queue = f"boju-fault-{uuid.uuid4().hex[:8]}"
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue, celery_app.conf.broker_url)
    celery_app.conf.update(task_always_eager=False, task_default_queue=queue)
    celery_use_broker(celery_app, own_redis.url)
    yield queue
    celery_app.conf.update(task_always_eager=before[0], task_default_queue=before[1])
    celery_use_broker(celery_app, before[2])


def test_burst_with_worker_killed_and_redis_restarted_loses_and_doubles_nothing(postgres, own_redis, broker):
    controller_module = pytest.importorskip("aiosmtpd.controller")
    smtp_port = free_port()
    recorder = Recorder()
    event = EventFactory(title="青岛市博士后人才招聘会", capacity=BURST)
    people = [candidate() for _ in range(BURST)]
    first, log1 = start_worker(queue=broker, broker_url=own_redis.url, database_url=database_url(), smtp_port=smtp_port)
    second = log2 = None
    try:
        time.sleep(4)  # the first worker is up and taking tasks
        for index, person in enumerate(people):
            if index == 8:
                first.kill()  # SIGKILL mid-burst: what it held unacknowledged is gone
            if index == 12:
                own_redis.stop()  # four registrations while Redis is down
            if index == 16:
                own_redis.start()  # back, empty: every queued task is lost
            registration_create(event=event, user=person)
        assert Registration.objects.filter(event=event, status="confirmed").count() == BURST
        smtp = controller_module.Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        second, log2 = start_worker(
            queue=broker, broker_url=own_redis.url, database_url=database_url(), smtp_port=smtp_port
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                # What beat does every 30 s / 60 s, with the clock moved past the thresholds.
                later = timezone.now() + timedelta(minutes=15)
                outbox.outbox_redrive(now=later)
                emails_redrive(now=later)
                done = Notification.objects.filter(kind="registration.confirmed").count() == BURST
                if done and len(recorder.accepted) >= BURST:
                    break
                time.sleep(3)
            time.sleep(3)  # a duplicate would arrive now, if anything sent one
        finally:
            smtp.stop()
    finally:
        output = stop_worker(first, log1, kill=True)
        if second is not None:
            output += stop_worker(second, log2)
    notices = Counter(Notification.objects.filter(kind="registration.confirmed").values_list("user_id", flat=True))
    assert notices == Counter({p.pk: 1 for p in people}), output[-3000:]
    mails = Counter(rcpt for envelope in recorder.accepted for rcpt in envelope.rcpt_tos)
    assert mails == Counter({p.email: 1 for p in people}), output[-3000:]
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}
