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
