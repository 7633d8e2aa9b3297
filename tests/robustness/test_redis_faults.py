"""Redis down or restarted: logged-in pages and registrations keep working, the cache degrades
and says so in the log, and every Redis client reconnects by itself after a restart.

Each test runs against a redis-server of its own (tests/robustness/support.py), never the
machine's shared one.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from django.urls import reverse

from config import redis_options
from config.cache import DegradingRedisCache
from events.models import Registration

from ..factories import EventFactory, candidate
from .support import own_redis  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_not_in_its_skip_window():
    from config.cache import _DegradedLog

    _DegradedLog.down_until = 0.0
    yield
    _DegradedLog.down_until = 0.0


def _cache(url: str) -> DegradingRedisCache:
    config = redis_options.cache_config(url)
    return DegradingRedisCache(url, {"OPTIONS": config["OPTIONS"], "KEY_PREFIX": "fault-test"})


def test_cache_answers_like_an_empty_cache_while_redis_is_down(own_redis, caplog):
    # Catches: config.cache.SharedPoolRedisCache raised redis.ConnectionError from every call.
    cache = _cache(own_redis.url)
    cache.set("k", 1, 30)
    assert cache.get("k") == 1
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="boju.degraded"):
        assert cache.get("k", "missing") == "missing"
        assert cache.set("k", 2, 30) is None
        assert cache.add("k", 2, 30) is False
        assert cache.get_many(["k", "j"]) == {}
        assert cache.delete("k") is False
    assert any("cache unavailable" in r.getMessage() and "rate limits" in r.getMessage() for r in caplog.records)
    # Back: after the short skip window (no retries paid on every call meanwhile), it is used again.
    own_redis.start()
    from config.cache import _DegradedLog

    assert _DegradedLog.down_until > 0
    _DegradedLog.down_until = 0.0  # the window has passed
    cache.set("k", 3, 30)
    assert cache.get("k") == 3


def test_logged_in_pages_and_registration_work_with_redis_down(own_redis, settings, client):
    # Catches: with SESSION_ENGINE = cached_db (the production setting before) every logged-in
    # request read the session through the cache and answered 500 while Redis was down.
    import config.settings as project

    settings.SESSION_ENGINE = project.SESSION_ENGINE  # the production choice, not the tests' default
    settings.CACHES = {"default": redis_options.cache_config(own_redis.url)}
    person = candidate()
    event = EventFactory(capacity=10)
    client.force_login(person)
    assert client.get(reverse("notifications:inbox")).status_code == 200
    own_redis.stop()
    assert client.get(reverse("notifications:inbox")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302
    assert Registration.objects.get(event=event, user=person).status == Registration.Status.CONFIRMED
    # ... and a logout during the outage stays a logout when Redis comes back.
    client.post(reverse("account_logout"))
    own_redis.start()
    assert client.get(reverse("notifications:inbox")).status_code == 302


def test_cache_reconnects_after_a_restart(own_redis):
    cache = _cache(own_redis.url)
    cache.set("k", 1, 30)
    own_redis.restart()
    assert cache.get("k") is None  # the restart lost the value, and the first call did not fail
    cache.set("k", 2, 30)
    assert cache.get("k") == 2


def test_channel_layer_reconnects_after_a_restart(own_redis):
    # Catches: redis.asyncio does not retry by default, so channels_redis' group_send failed
    # with ConnectionError on each dead pooled connection after a Redis restart (live pushes lost).
    from config.channel_layer import BoundedRedisChannelLayer

    async def run():
        layer = BoundedRedisChannelLayer(hosts=[redis_options.channel_host(own_redis.url)], prefix="fault-test")
        channel = await layer.new_channel()
        await layer.group_add("event.1.public", channel)
        await layer.group_send("event.1.public", {"type": "live.message", "n": 1})
        assert (await layer.receive(channel))["n"] == 1
        own_redis.restart()
        await layer.group_send("event.1.public", {"type": "live.message", "n": 2})  # no group any more: dropped
        await layer.group_add("event.1.public", channel)
        await layer.group_send("event.1.public", {"type": "live.message", "n": 3})
        assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == 3
        await layer.flush()
        await layer.close_pools()

    asyncio.run(run())


def test_celery_publishes_after_a_restart(own_redis):
    """The producer's pooled connection is dead after the restart; its next publish reconnects.

    (A restart also loses kombu's queue bindings: until the worker reconnects and declares its
    queue again, a publish is accepted and routed nowhere. The outbox is what makes that window
    harmless: tests/robustness/test_outbox.py.)"""
    from kombu import Connection

    options = redis_options.celery_transport_options()
    with Connection(own_redis.url, transport_options=options) as conn:
        producer = conn.SimpleQueue("fault-test")
        producer.put({"n": 1})
        own_redis.restart()
        with Connection(own_redis.url, transport_options=options) as worker_side:
            consumer = worker_side.SimpleQueue("fault-test")  # the worker reconnects and declares
            producer.put({"n": 2})  # the old connection's first publish after the restart
            assert consumer.get(timeout=5).payload == {"n": 2}
            consumer.close()
        producer.close()


def test_websocket_churn_keeps_a_bounded_number_of_redis_connections(own_redis, monkeypatch):
    # Catches: channels_redis' plain pool (sized 1000, never shrinking) kept ~930 idle Redis
    # connections per worker after 1,000 sockets were opened and dropped at once.
    import redis

    from config import channel_layer

    monkeypatch.setattr(channel_layer, "POOL_SIZE", 16)

    async def run():
        layer = channel_layer.BoundedRedisChannelLayer(
            hosts=[redis_options.channel_host(own_redis.url)], prefix="churn-test"
        )

        async def one_socket(n: int):  # what a consumer does on connect and disconnect
            channel = await layer.new_channel()
            await layer.group_add(f"event.{n % 7}.public", channel)
            await layer.group_discard(f"event.{n % 7}.public", channel)

        await asyncio.gather(*(one_socket(n) for n in range(400)))
        pool = layer.connection(0).connection_pool
        opened = len(pool._available_connections) + len(pool._in_use_connections)
        on_server = len(redis.Redis.from_url(own_redis.url).client_list()) - 1  # minus this check's own
        await layer.close_pools()
        return opened, on_server

    opened, on_server = asyncio.run(run())
    assert 0 < opened <= 16 and on_server <= 16  # all 400 "sockets" were served by at most 16
