"""The Redis channel layer with a bounded, waiting connection pool.

channels_redis builds a plain redis.asyncio ConnectionPool: past `max_connections` it fails at
once, so the pool had to be sized 1000, and a pool never closes a connection it opened. After
1,000 WebSockets were opened and dropped (each connect and disconnect is a group_add /
group_discard), about 930 idle connections stayed open per worker process until Redis
restarted, with their buffers (issue 13). A BlockingConnectionPool of CHANNELS_REDIS_POOL
connections (64 by default) makes a burst wait its turn for a connection (up to
CHANNELS_REDIS_POOL_WAIT_S) instead of opening a new one per socket: a churn of any size keeps
at most that many connections per process.
"""

from __future__ import annotations

import asyncio
import os

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

POOL_SIZE = int(os.environ.get("CHANNELS_REDIS_POOL", "64"))
POOL_WAIT_S = float(os.environ.get("CHANNELS_REDIS_POOL_WAIT_S", "10"))


class BoundedRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address")
        host.pop("max_connections", None)
        return BlockingConnectionPool.from_url(address, max_connections=POOL_SIZE, timeout=POOL_WAIT_S, **host)

    async def receive(self, channel):
        """channels_redis' receive, but one that always ends when it is cancelled.

        When a socket closes, channels cancels its consumer's pending receive and waits for it to
        end. The receive that holds the process's BZPOPMIN sometimes swallowed that cancellation
        (redis-py's read, with our socket options) and went on blocking: the consumer never
        finished, its socket's task stayed in the server (memory after churn), and a worker asked
        to stop waited for it forever (seen: uvicorn stuck at "Waiting for background tasks to
        complete" after 5 sockets had come and gone). The caller now stops waiting at once; the
        inner receive is cancelled again until it ends (at most about one BZPOPMIN later).
        A message it takes meanwhile is dropped, which live delivery allows (at most once).
        """
        inner = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            inner.cancel()
            reaper = asyncio.ensure_future(_reap(inner))
            _reapers.add(reaper)
            reaper.add_done_callback(_reapers.discard)
            raise


_reapers: set[asyncio.Future] = set()  # the loop keeps only weak references to tasks
REAP_EVERY_S = 6.0  # a little over channels_redis' 5 s BZPOPMIN block


async def _reap(inner: asyncio.Future) -> None:
    while not inner.done():
        await asyncio.wait([inner], timeout=REAP_EVERY_S)
        if not inner.done():
            inner.cancel()
    if not inner.cancelled():
        inner.exception()  # retrieved, so asyncio does not log "exception never retrieved"
