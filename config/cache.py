"""Django's Redis cache with one client (and connection pool) per process.

Django keeps its cache objects per thread and per asyncio context (`caches` is a Local), so
under ASGI every request builds a new RedisCache, whose client builds a new redis-py pool: a
new TCP connection to Redis for every request that touches the cache (sessions' neighbours,
allauth's rate limits, the checkin key cache...). Profiling the booth map showed that as 8 %
of the server's time. Here all RedisCache objects of a process built from the same settings
share one client; redis-py pools are thread-safe and reset themselves after a fork.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property


class SharedPoolRedisCache(RedisCache):
    _clients: dict[tuple, object] = {}
    _clients_lock = threading.Lock()

    @cached_property
    def _cache(self):
        key = (self._class, tuple(self._servers), repr(sorted(self._options.items())))
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._class(self._servers, **self._options)
        return client


# --- Degrading when Redis is down ----------------------------------------------------------
# The cache holds nothing that is not also somewhere else (rate-limit counters, the check-in key
# cache, memoised pages): when Redis is unreachable a read is a miss and a write is dropped, and
# the log says so (at most once per DEGRADED_LOG_EVERY_S per process, so an outage does not flood
# it). Sessions do not live here (SESSION_ENGINE = db, see settings), so nobody is logged out and
# no logout is undone when Redis comes back.

import logging  # noqa: E402
import time  # noqa: E402

from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: E402
from redis.exceptions import TimeoutError as RedisTimeoutError  # noqa: E402

logger = logging.getLogger("boju.degraded")
DEGRADED_LOG_EVERY_S = 10.0
# After a failure, Redis is not tried again for this long: with Redis down every attempt costs
# its retries (a few hundred ms), several per request, while the request holds a database
# connection; skipping it keeps requests as fast as without a cache.
DEGRADED_SKIP_S = 2.0
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


class _DegradedLog:
    last = 0.0
    dropped = 0
    down_until = 0.0  # per process; a plain float is enough (a stale read only costs one try)

    @classmethod
    def note(cls, operation: str, error: Exception) -> None:
        cls.dropped += 1
        now = time.monotonic()
        cls.down_until = now + DEGRADED_SKIP_S
        if now - cls.last >= DEGRADED_LOG_EVERY_S:
            logger.warning(
                "cache unavailable (%s failed: %s); running without it: rate limits and "
                "cached values are off until Redis is back (%d cache operation(s) skipped)",
                operation,
                error,
                cls.dropped,
            )
            cls.last = now
            cls.dropped = 0


def _degrading(name: str, fallback):
    method = getattr(SharedPoolRedisCache, name)

    def wrapper(self, *args, **kwargs):
        if time.monotonic() < _DegradedLog.down_until:
            _DegradedLog.dropped += 1
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        try:
            return method(self, *args, **kwargs)
        except _REDIS_DOWN as error:
            _DegradedLog.note(name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class DegradingRedisCache(SharedPoolRedisCache):
    """SharedPoolRedisCache that answers like an empty cache while Redis is unreachable."""


for _name, _fallback in {
    "get": lambda key, default=None, version=None: default,
    "set": None,
    "add": False,  # "not added": callers such as rate limits then treat it as a miss
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "incr": lambda key, delta=1, version=None: delta,  # counting restarts; a limit may let one more through
    "set_many": [],
    "delete_many": None,
    "clear": False,
}.items():
    setattr(DegradingRedisCache, _name, _degrading(_name, _fallback))
