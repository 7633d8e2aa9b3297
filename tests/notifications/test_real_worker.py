"""The paths production sends through Celery, each run by a real worker process (celery -A config
worker, a subprocess) against the real Redis broker and the real PostgreSQL test database, with
the e-mails going to a real SMTP server:

- a burst of registrations inside the ASGI server: one outbox_deliver_batch task for the
  burst; the worker writes every notice once and fans the e-mails out (email_send_batch ->
  email_send), one of them retried after a 451;
- the legacy notify_batch_task (messages queued before the outbox, still in Redis at deploy);
- the periodic reminders, queued by the name Celery beat uses, twice, each reminder sent once;
- an outbox mail (a company invitation to someone without an account).
The first e-mail test with a retry is in test_worker_smtp.py. Each test takes 5-15 s.
"""

import asyncio
import email
from collections import Counter
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from events.models import Registration
from notifications import services
from notifications.models import EmailDelivery, Notification, OutboxMessage, ReminderSent

from ..factories import EventFactory, RegistrationFactory, candidate
from .worker_support import Handler, queued, run_worker_until, smtp_controller, start_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp():
    handler = Handler(refuse_first=True)
    controller = smtp_controller(handler)
    yield controller, handler
    controller.stop()


def _register_each_in_its_own_request(event, users):
    from events.services import registration_create

    for user in users:
        registration_create(event=event, user=user)  # autocommit: one transaction each, as a view


async def test_a_burst_of_registrations_is_one_batch_task_that_a_real_worker_delivers(
    postgres, smtp, worker_queue, redis_url, monkeypatch
):
    controller, handler = smtp
    # The window a notice waits in the server for others; widened from 50 ms so that eight
    # registrations in a row fall into one on a loaded machine (in production they are concurrent).
    monkeypatch.setattr(services, "NOTICE_BATCH_WINDOW_S", 3.0)
    event = await sync_to_async(EventFactory)(title="青岛博士后招聘会", capacity=3)
    users = await sync_to_async(lambda: [candidate() for _ in range(8)])()
    # sync_to_async is how Django runs a view under ASGI: the notices wait in the server process
    # and reach Redis as one task.
    await sync_to_async(_register_each_in_its_own_request)(event, users)
    for _ in range(100):
        if queued(redis_url, worker_queue):
            break
        await asyncio.sleep(0.1)
    outbox_ids = await sync_to_async(lambda: list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)))()
    assert len(outbox_ids) == 8
    assert queued(redis_url, worker_queue) == [("notifications.tasks.outbox_deliver_batch", [outbox_ids], {})]
    assert await sync_to_async(Notification.objects.count)() == 0  # nothing written in the requests

    def delivered():
        return len(handler.accepted) >= 8 and not EmailDelivery.objects.exclude(status="sent").exists()

    process, log = start_worker(worker_queue, redis_url, controller.port)
    output = await sync_to_async(run_worker_until)(process, log, delivered)

    def check():
        notes = list(Notification.objects.select_related("user"))
        assert Counter(n.user_id for n in notes) == {u.pk: 1 for u in users}, output
        statuses = dict(Registration.objects.filter(event=event).values_list("user_id", "status"))
        kinds = {n.user_id: n.kind for n in notes}
        assert kinds == {uid: f"registration.{status}" for uid, status in statuses.items()}
        assert Counter(kinds.values()) == {"registration.confirmed": 3, "registration.waitlisted": 5}
        assert not OutboxMessage.objects.exclude(status="done").exists()
        deliveries = EmailDelivery.objects.filter(notification__in=notes)
        assert deliveries.count() == 8 and not deliveries.exclude(status="sent").exists()
        # Each person's e-mail arrived exactly once; the 451 was retried by the worker.
        assert handler.refused == 1
        assert sorted(e.rcpt_tos[0] for e in handler.accepted) == sorted(u.email for u in users), output
        assert sum(d.attempts for d in deliveries) == 9
        assert "ERROR" not in output, output

    await sync_to_async(check)()


def test_the_legacy_batch_task_in_redis_is_delivered_by_a_real_worker(postgres, worker_queue, redis_url):
    """Messages queued by the code before the outbox may still be in Redis at deploy time."""
    from notifications.tasks import notify_batch_task

    first, second = candidate(), candidate()
    items = [
        [[first.pk], "announcement", {"title": "一", "body": "改到B馆", "author": "主办方"}],
        [[first.pk], "no.such.kind", {}],  # a notice that fails must not stop the others
        [[second.pk], "announcement", {"title": "二", "body": "改到C馆", "author": "主办方"}],
    ]
    notify_batch_task.delay(items)
    assert [name for name, _args, _kwargs in queued(redis_url, worker_queue)] == [
        "notifications.tasks.notify_batch_task"
    ]
    process, log = start_worker(worker_queue, redis_url)  # e-mails to the dummy backend
    output = run_worker_until(
        process,
        log,
        lambda: Notification.objects.count() >= 2 and not EmailDelivery.objects.filter(status="pending").exists(),
    )
    notes = dict(Notification.objects.values_list("user_id", "context__title"))
    assert notes == {first.pk: "一", second.pk: "二"}, output
    assert "no.such.kind" in output  # logged, not silently dropped


def test_reminders_queued_by_the_beat_task_name_are_sent_once_by_a_real_worker(postgres, smtp, worker_queue, redis_url):
    controller, handler = smtp
    handler.refused = 1  # this test is about the reminder, not the retry
    soon = EventFactory(
        title="博士后沙龙", starts_at=timezone.now() + timedelta(hours=23), ends_at=timezone.now() + timedelta(hours=25)
    )
    later = EventFactory(
        title="下周的招聘会",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2),
    )
    people = [candidate() for _ in range(3)]
    for person in people:
        RegistrationFactory(event=soon, user=person, status="confirmed")
    RegistrationFactory(event=later, user=people[0], status="confirmed")
    waiting = candidate()
    RegistrationFactory(event=soon, user=waiting, status="waitlisted")
    # What beat sends every 5 minutes, by name: two ticks before the worker gets to them (a
    # second beat process, or a run that overlaps the previous one).
    task = settings.CELERY_BEAT_SCHEDULE["notifications-reminders"]["task"]
    celery_app.send_task(task, queue=worker_queue)
    celery_app.send_task(task, queue=worker_queue)
    assert [name for name, _a, _k in queued(redis_url, worker_queue)] == [task, task]
    process, log = start_worker(worker_queue, redis_url, controller.port)
    output = run_worker_until(process, log, lambda: len(handler.accepted) >= 3)
    reminders = Notification.objects.filter(kind="reminder.event")
    assert sorted(reminders.values_list("user_id", flat=True)) == sorted(p.pk for p in people), output
    assert set(reminders.values_list("context__offset", flat=True)) == {"24h"}
    assert ReminderSent.objects.count() == 3
    assert sorted(e.rcpt_tos[0] for e in handler.accepted) == sorted(p.email for p in people), output
    assert not Notification.objects.filter(user=waiting).exists()


def test_an_outbox_mail_is_sent_once_by_a_real_worker(postgres, smtp, worker_queue, redis_url):
    from notifications.outbox import outbox_mail_add

    controller, handler = smtp
    handler.refused = 1
    with transaction.atomic():
        message = outbox_mail_add(to="hr@haier.example.cn", subject="邀请加入企业账号", body="请点击链接注册。")
        assert queued(redis_url, worker_queue) == []  # handed over on commit, not before
    assert queued(redis_url, worker_queue) == [("notifications.tasks.outbox_deliver_task", [message.pk], {})]
    process, log = start_worker(worker_queue, redis_url, controller.port)
    output = run_worker_until(process, log, lambda: handler.accepted)
    assert [e.rcpt_tos for e in handler.accepted] == [["hr@haier.example.cn"]], output
    mail = email.message_from_bytes(handler.accepted[0].content)
    assert "请点击链接注册。" in mail.get_payload(decode=True).decode("utf-8")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.payload) == ("done", 1, {})
