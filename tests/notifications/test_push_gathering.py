"""Pushes and e-mails sent from outside a server (the Celery worker): one Redis connection for
all the pushes of a process, and one push and one e-mail task per batch of outbox notices.

Both were measured in the worker of bench/registration_burst.py: a new Redis connection per
push (async_to_sync gives each call a new event loop, channels_redis a new pool per loop), and
a push plus a Celery message per notice. Real Redis; nothing mocked."""

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from notifications import live, services, tasks
from notifications.models import EmailDelivery, Notification, OutboxMessage
from tests.conftest import require
from tests.factories import candidate

from .worker_support import queued


def _redis_layer():
    from channels_redis.core import RedisChannelLayer

    layer = get_channel_layer()
    require(isinstance(layer, RedisChannelLayer), "needs the Redis channel layer: set REDIS_URL")
    return layer


def _subscribed(layer, groups: list[str]) -> str:
    async def setup():
        channel = await layer.new_channel()
        for group in groups:
            await layer.group_add(group, channel)
        return channel

    return async_to_sync(setup)()


def _received(layer, channel: str, count: int) -> list[dict]:
    import asyncio

    async def receive():
        return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]

    return async_to_sync(receive)()


def test_pushes_outside_a_server_share_one_redis_connection(redis_url):
    layer = _redis_layer()
    groups = [f"event.{990000 + i}.public" for i in range(20)]
    channel = _subscribed(layer, groups)
    live.publish(groups[0], {"type": "warm"})  # the process's push loop and its pool exist now
    _received(layer, channel, 1)
    server = redis.Redis.from_url(redis_url)
    opened_before = server.info("stats")["total_connections_received"]
    for i, group in enumerate(groups):
        live.publish(group, {"type": "figure", "n": i})
    opened = server.info("stats")["total_connections_received"] - opened_before
    # Each publish has completed when it returns (the worker's contract), on the same pool:
    # with a new event loop per call this was one new connection per push (20 or more).
    assert [m["payload"]["n"] for m in _received(layer, channel, 20)] == list(range(20))
    assert opened <= 2, f"{opened} Redis connections opened for 20 pushes"


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_notices_is_pushed_and_mailed_once(worker_queue, redis_url):
    layer = _redis_layer()
    people = [candidate() for _ in range(3)]
    channel = _subscribed(layer, [live.group_inbox(p.pk) for p in people])
    ids = []
    for person in people:
        with transaction.atomic():
            ids.append(
                OutboxMessage.objects.create(
                    kind=OutboxMessage.Kind.NOTICE,
                    payload={"user_ids": [person.pk], "kind": "announcement", "context": {"title": "改到B馆"}},
                ).pk
            )
    assert tasks.outbox_deliver_batch(ids) == 3  # as the worker runs it
    notifications = list(Notification.objects.order_by("pk").values_list("pk", "user_id"))
    assert [user for _pk, user in notifications] == [p.pk for p in people]
    assert EmailDelivery.objects.count() == 3
    # One e-mail task for the whole batch, with every notice in it (not one task per notice).
    assert queued(redis_url, worker_queue) == [
        ("notifications.tasks.email_send_batch", [[pk for pk, _user in notifications]], {})
    ]
    # And every person's inbox got its push.
    pushed = _received(layer, channel, 3)
    assert sorted(m["group"] for m in pushed) == sorted(live.group_inbox(p.pk) for p in people)


@pytest.mark.django_db(transaction=True)
def test_a_single_notice_outside_a_batch_goes_at_once(worker_queue, redis_url):
    person = candidate()
    with transaction.atomic():
        services.notify_many(user_ids=[person.pk], kind="announcement", context={"title": "一条"})
        assert queued(redis_url, worker_queue) == []  # on commit, not before
    notification = Notification.objects.get()
    assert queued(redis_url, worker_queue) == [("notifications.tasks.email_send", [notification.pk], {})]


@pytest.mark.django_db(transaction=True)
def test_what_was_gathered_is_sent_even_when_the_batch_fails(worker_queue, redis_url):
    person = candidate()
    with pytest.raises(RuntimeError), services.notices_gathered():
        with transaction.atomic():
            services.notify_many(user_ids=[person.pk], kind="announcement", context={"title": "已提交"})
        raise RuntimeError("the batch broke after the notice committed")
    notification = Notification.objects.get()
    assert queued(redis_url, worker_queue) == [("notifications.tasks.email_send", [notification.pk], {})]
