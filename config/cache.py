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
