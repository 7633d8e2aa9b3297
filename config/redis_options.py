"""How Boju talks to Redis, in one place for the settings and the fault tests.

After a Redis restart every pooled connection is dead. A PING before reusing a connection idle
longer than REDIS_HEALTH_CHECK_S, and a retry (3 tries, 50 ms..1 s apart) on a connection error,
make the first use after the restart reconnect instead of failing. redis.asyncio (the channel
layer) does not retry at all by default: its group_send failed once per dead connection. A short
connect timeout keeps a request from hanging on an unreachable Redis: the cache then degrades
(config/cache.py).
"""

from __future__ import annotations

import os

HEALTH_CHECK_S = int(os.environ.get("REDIS_HEALTH_CHECK_S", "5"))
CONNECT_TIMEOUT_S = float(os.environ.get("REDIS_CONNECT_TIMEOUT_S", "1"))


def _retry(asyncio: bool):
    from redis.backoff import ExponentialBackoff

    if asyncio:
        from redis.asyncio.retry import Retry
    else:
        from redis.retry import Retry
    return Retry(ExponentialBackoff(cap=1, base=0.05), 3)


def _errors() -> list:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return [RedisConnectionError, RedisTimeoutError]


def cache_config(url: str) -> dict:
    return {
        "BACKEND": "config.cache.DegradingRedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "health_check_interval": HEALTH_CHECK_S,
            "socket_connect_timeout": CONNECT_TIMEOUT_S,
            "socket_timeout": 5,
            "retry": _retry(False),
            "retry_on_error": _errors(),
        },
    }


def channel_host(url: str) -> dict:
    # redis-py 8 fails at once (MaxConnectionsError) past the pool size instead of waiting, and a
    # mass reconnect or an announcement fan-out needs more than its default 100. Its default 5 s
    # socket timeout equals channels_redis' 5 s BZPOPMIN block, so under load a consumer's receive
    # timed out and the WebSocket died: the read timeout must be longer.
    return {
        "address": url,
        "socket_timeout": 15,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "health_check_interval": HEALTH_CHECK_S,
        "retry": _retry(True),
        "retry_on_error": _errors(),
        "max_connections": int(os.environ.get("CHANNELS_REDIS_MAX_CONNECTIONS", "1000")),
    }


def celery_transport_options() -> dict:
    # kombu pings idle broker connections and retries a publish on a connection error, so the
    # first task queued after a Redis restart goes through.
    return {
        "health_check_interval": HEALTH_CHECK_S,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "retry_on_timeout": True,
    }
