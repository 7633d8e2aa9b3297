"""The async PostgreSQL pool of the fast lanes (checkin/fastlane.py, events/fastlane.py).

Each lane answers its one request on the server's event loop, so it cannot use Django's
connections (sync, one per thread). It opens its own small psycopg pool per process, on first
use inside the server's loop, with the same database and time zone as Django's connections.
"""

from __future__ import annotations

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
