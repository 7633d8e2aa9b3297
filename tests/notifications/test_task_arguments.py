"""Every Celery task of the project is called with arguments Celery's JSON serializer accepts.

A worker gets its arguments through JSON (kombu); a model instance, a set or a lazy string would
work inline and fail in production at the moment of queueing. Celery 5.7 already round-trips
the arguments of an inline (eager) call through the task's serializer, so the whole suite runs
each queued call as a worker would get it; these tests prove that check is there and can fail,
and drive every task the project registers through the code that queues it in production.
"""

import asyncio
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from celery.app.task import Task
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import serialization
from kombu.exceptions import EncodeError

from config.celery import app as celery_app
from notifications import services
from notifications.models import EmailDelivery, Notification, OutboxMessage
from notifications.tasks import email_send

from ..factories import EventFactory, candidate
from .worker_support import queued

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT_APPS = (
    "notifications.",
    "matchmaking.",
    "programme.",
    "events.",
    "checkin.",
    "fairs.",
    "accounts.",
    "projects.",
    "challenges.",
    "competitions.",
    "operations.",
    "api.",
)


def project_tasks() -> set[str]:
    celery_app.loader.import_default_modules()  # autodiscover: every app's tasks module
    return {name for name in celery_app.tasks if name.startswith(PROJECT_APPS)}


def _plain(value):
    """JSON has lists, not tuples: compare what went in with what comes out on equal terms."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.fixture
def task_calls(monkeypatch):
    """Every apply_async (delay goes through it) of any task: name, args, kwargs, and the problem
    if they do not go through kombu's JSON and come back unchanged."""
    calls = []
    original = Task.apply_async

    def recording_apply_async(self, args=None, kwargs=None, *rest, **options):
        body = (list(args or ()), dict(kwargs or {}))
        try:
            content_type, encoding, data = serialization.dumps(body, "json")
            back = serialization.loads(data, content_type, encoding, accept=[content_type])
            problem = None if _plain(back) == _plain(body) else f"{body!r} does not survive JSON unchanged"
        except EncodeError as error:
            problem = f"{body!r}: {error}"
        # Recorded, not only raised: production code logs and swallows a failed hand-over.
        calls.append((self.name, args, kwargs, problem))
        return original(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", recording_apply_async)
    return calls


def test_celery_is_configured_for_json_only():
    assert celery_app.conf.task_serializer == "json"
    assert list(celery_app.conf.accept_content) == ["json"]
    assert all(celery_app.tasks[name].serializer in (None, "json") for name in project_tasks())


def test_an_unserialisable_argument_fails_inline_as_it_would_when_queued(postgres, redis_url):
    """The check the suite relies on is live: inline, and for real against the Redis broker."""
    note = _one_notification()
    assert celery_app.conf.task_always_eager
    with pytest.raises(EncodeError):
        email_send.delay(note)  # the instance, not its id
    with pytest.raises(EncodeError):
        email_send.delay({note.pk})  # a set
    assert email_send.delay(note.pk).get() in ("sent", "skipped")  # the id is fine


def test_an_unserialisable_argument_is_refused_by_the_real_broker(postgres, worker_queue, redis_url):
    note = _one_notification()
    before = queued(redis_url, worker_queue)  # its own e-mail, queued on commit
    with pytest.raises(EncodeError):
        email_send.delay(note)
    assert queued(redis_url, worker_queue) == before
    email_send.delay(note.pk)
    assert queued(redis_url, worker_queue) == [*before, ("notifications.tasks.email_send", [note.pk], {})]


def _one_notification():
    return services.notify(
        user=candidate(), kind="announcement", context={"title": "专场", "body": "改到B馆", "author": "主办方"}
    )


def _register_each(event, users):
    from events.services import registration_create

    for user in users:
        registration_create(event=event, user=user)


async def test_every_project_task_is_queued_with_json_arguments(postgres, task_calls, monkeypatch):
    """The flows that queue tasks in production, and each periodic task the way beat sends it."""
    wanted = await sync_to_async(project_tasks)()
    assert (
        len(wanted) == 12
        and {
            "notifications.tasks.email_send",
            "matchmaking.tasks.meetings_lapse_task",
            "programme.tasks.tallies_reconcile",
        }
        <= wanted
    ), sorted(wanted)
    # A burst of registrations inside the server: one outbox_deliver_batch.
    event = await sync_to_async(EventFactory)(
        capacity=1, starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=22)
    )
    people = await sync_to_async(lambda: [candidate() for _ in range(4)])()
    monkeypatch.setattr(services, "NOTICE_BATCH_WINDOW_S", 0.3)
    await sync_to_async(_register_each)(event, people[1:])
    for _ in range(50):
        await asyncio.sleep(0.1)
        if "notifications.tasks.outbox_deliver_batch" in {call[0] for call in task_calls}:
            break
    # The rest outside a server (a command, a task): a plain thread, not the loop's.
    await asyncio.to_thread(_sync_part, event, people)
    assert [(name, problem) for name, _a, _k, problem in task_calls if problem] == []
    called = {name for name, _args, _kwargs, _problem in task_calls}
    assert wanted - called == set(), f"tasks never queued by the flows above: {sorted(wanted - called)}"
    assert called <= wanted | {name for name in called if name.startswith("celery.")}
    # The arguments are ids and plain data, never objects (a readable record of what is sent).
    assert all(json.dumps([args, kwargs]) for _name, args, kwargs, _problem in task_calls)


def _sync_part(event, people):
    try:
        _flows_outside_the_server(event, people)
    finally:
        connection.close()  # this thread's own connection


def _flows_outside_the_server(event, people):
    # A registration in its own transaction: outbox_deliver_task, then its e-mail (email_send).
    _register_each(event, people[:1])
    # An announcement to many: email_send_batch fans out into email_send.
    services.notify_many(
        user_ids=[p.pk for p in people],
        kind="announcement",
        context={"title": "主办方公告", "body": "请带身份证", "author": "主办方"},
    )
    # Stale work for the periodic tasks to pick up: a pending e-mail whose task was lost, two
    # outbox messages whose hand-over failed (the re-drive sends them as one batch).
    stale = EmailDelivery.objects.order_by("pk").first()
    EmailDelivery.objects.filter(pk=stale.pk).update(
        status="pending", claimed_at=None, created_at=timezone.now() - timedelta(hours=1)
    )
    for person in people[:2]:
        OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.NOTICE,
            payload={"user_ids": [person.pk], "kind": "announcement", "context": {"title": "补发", "body": "b"}},
        )
    OutboxMessage.objects.filter(status="pending").update(available_at=timezone.now() - timedelta(minutes=5))
    # Every periodic task, as beat sends it: by name, with the schedule's arguments.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        celery_app.tasks[entry["task"]].apply_async(tuple(entry.get("args", ())), dict(entry.get("kwargs", {})))
    assert Notification.objects.filter(kind="reminder.event").exists()  # reminders_send did its work
    assert not OutboxMessage.objects.filter(status="pending").exists()
    # The tasks kept for messages queued before the outbox: the payload shape the old
    # notify_later queued (user ids, kind, plain context).
    from notifications.tasks import notify_batch_task, notify_task

    context = {"title": "旧消息", "body": "b", "author": "主办方"}
    notify_task.delay([people[0].pk], "announcement", context)
    notify_batch_task.delay([[[people[1].pk], "announcement", context]])
