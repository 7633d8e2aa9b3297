"""notify_later inside an ASGI server: the notices of a burst reach Celery as one batch task;
outside a server each goes at once. Each notice is an outbox row written with its cause (see
tests/notifications/test_outbox.py for what that buys). Nothing is mocked: the tasks go to the
real Redis broker (a queue of the test's own), and what is read back is what a worker would get;
test_real_worker.py runs a worker on it. The old batch task (messages queued before the outbox)
still tells everyone even if one notice fails."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from accounts.models import User
from notifications import services, tasks
from notifications.models import Notification, OutboxMessage
from tests.factories import candidate

from .worker_support import queued

pytestmark = pytest.mark.django_db(transaction=True)


def _three_commits(user_ids):
    for user_id in user_ids:
        with transaction.atomic():
            services.notify_later(user_ids=[user_id], kind="announcement", context={"title": f"t{user_id}"})


async def test_a_burst_inside_the_server_goes_as_one_batch(worker_queue, redis_url, monkeypatch):
    # 0.5 s instead of 50 ms: three commits in a row fall into one window on a loaded machine too.
    monkeypatch.setattr(services, "NOTICE_BATCH_WINDOW_S", 0.5)
    users = await sync_to_async(lambda: [candidate().pk for _ in range(3)])()
    # sync_to_async is how Django runs a view under ASGI: the loop is then the server's loop.
    await sync_to_async(_three_commits)(users)
    assert queued(redis_url, worker_queue) == []  # waiting in the process, not lost
    for _ in range(50):
        await asyncio.sleep(0.1)
        if queued(redis_url, worker_queue):
            break
    rows = await sync_to_async(lambda: list(OutboxMessage.objects.order_by("pk").values_list("pk", "payload")))()
    assert [payload["user_ids"] for _pk, payload in rows] == [[u] for u in users]
    assert queued(redis_url, worker_queue) == [
        ("notifications.tasks.outbox_deliver_batch", [[pk for pk, _payload in rows]], {})
    ]
    # The log line names the size of the batch, not three ids (argsrepr).
    import json

    import redis

    envelope = json.loads(redis.Redis.from_url(redis_url).lindex(worker_queue, 0))
    assert envelope["headers"]["argsrepr"] == "(3 messages)"


def test_outside_a_server_each_notice_goes_at_once(worker_queue, redis_url):
    users = [candidate().pk for _ in range(2)]
    _three_commits(users)
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert queued(redis_url, worker_queue) == [
        ("notifications.tasks.outbox_deliver_task", [row.pk], {}) for row in rows
    ]
    assert [row.payload["user_ids"] for row in rows] == [[u] for u in users]


def test_outside_a_server_inline_mode_writes_the_notice_at_once():
    """The embedded default (no Redis): the same call runs the task inline on commit."""
    user = candidate()
    with transaction.atomic():
        services.notify_later(user_ids=[user.pk], kind="announcement", context={"title": "现场改到B馆"})
        assert not Notification.objects.exists()  # not before the commit
    assert list(Notification.objects.values_list("user_id", "context__title")) == [(user.pk, "现场改到B馆")]
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["done"]


def test_a_rolled_back_notice_is_never_sent(worker_queue, redis_url):
    user = candidate()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify_later(user_ids=[user.pk], kind="announcement", context={"title": "x"})
        raise RuntimeError("rolled back")
    assert queued(redis_url, worker_queue) == []
    assert not OutboxMessage.objects.exists()


def test_the_batch_task_tells_everyone_and_survives_a_bad_notice():
    first, second = candidate(), candidate()
    items = [
        [[first.pk], "announcement", {"title": "一", "body": "b"}],
        [[first.pk], "no.such.kind", {}],
        [[second.pk], "announcement", {"title": "二", "body": "b"}],
    ]
    # .delay(): through Celery's JSON round trip, as a worker would get it (test_real_worker.py
    # runs it in a real worker).
    assert tasks.notify_batch_task.delay(items).get() == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {first.pk, second.pk}
    assert User.objects.count() == 2
