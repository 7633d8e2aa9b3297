"""Bound how many HTTP requests one worker process runs at the same time.

Django runs each sync view of an ASGI request in its own thread. Under a burst, dozens of
threads in one process fight over the GIL, and a thread that holds a row lock in PostgreSQL
(the event row while a seat is handed out) then waits up to a GIL switch interval after every
query for its turn: the lock is held many times longer than the queries take, and every other
registration for the event queues behind it. Letting only a few requests per process run at
once, and queueing the rest on the event loop (where waiting costs nothing), keeps lock hold
times short. More throughput comes from more worker processes, not more threads.
"""

from __future__ import annotations

import asyncio


class HttpConcurrencyLimit:
    """ASGI middleware: at most `limit` HTTP requests of this process inside `app` at once.

    WebSocket and lifespan traffic pass straight through (a socket stays open for hours).
    The semaphore is created lazily so it binds to the server's running loop.
    """

    def __init__(self, app, limit: int):
        if limit < 1:
            raise ValueError("the HTTP concurrency limit must be at least 1")
        self.app = app
        self.limit = limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            return await self.app(scope, receive, send)
