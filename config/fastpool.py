"""The async PostgreSQL pool of the fast lanes (checkin/fastlane.py, events/fastlane.py).

Each lane answers its one request on the server's event loop, so it cannot use Django's
connections (sync, one per thread). It opens its own small psycopg pool per process, on first
use inside the server's loop, with the same database and time zone as Django's connections.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool


async def async_pool_open(max_size: int) -> AsyncConnectionPool:
    """An opened pool of at most `max_size` autocommit connections to Django's default database."""
    db = connections["default"].settings_dict
    conninfo = make_conninfo(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=str(db["PORT"]) if db.get("PORT") else None,
        options="-c TimeZone=UTC",
    )  # as Django's connections
    pool = AsyncConnectionPool(
        conninfo,
        kwargs={"autocommit": True},
        open=False,
        min_size=1,
        max_size=max_size,
        check=AsyncConnectionPool.check_connection,  # a connection lost to a restart is replaced
    )
    await pool.open()
    return pool


class LaneStore:
    """A lane's pool, one per server process, opened on first use inside the server's loop.

    `POOL_SETTING` names the setting with its size; `transaction()` lends a connection wrapped
    in `TRANSACTION` (its `rollback()` ends whatever the lane left open, so an early answer
    leaves nothing behind); `opened(conn)` reads, once, what the lane needs before any request
    holds a connection.
    """

    POOL_SETTING = ""
    TRANSACTION: type = object

    def __init__(self):
        self._pool: AsyncConnectionPool | None = None
        self._opening = asyncio.Lock()

    async def opened(self, conn) -> None:
        pass

    async def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    pool = await async_pool_open(getattr(settings, self.POOL_SETTING))
                    async with pool.connection() as conn:
                        await self.opened(conn)
                    self._pool = pool
        return self._pool

    @asynccontextmanager
    async def transaction(self):
        pool = await self.pool()
        async with pool.connection() as conn:
            tx = self.TRANSACTION(conn, self)
            try:
                yield tx
            finally:
                await tx.rollback()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
