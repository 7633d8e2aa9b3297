"""One HTTP request straight to an ASGI app, for the fast lanes' tests (no server, no socket),
and the event loop they run on (a thread of its own, as a server's)."""

from __future__ import annotations

import asyncio
import threading

import pytest


async def asgi_call(app, method: str, path: str, headers: list, body: bytes = b"") -> tuple[int, list, bytes]:
    """(status, response headers, body) of `app` answering one request with `headers` and `body`."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    chunks = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if chunks:
            return chunks.pop()
        await asyncio.sleep(3600)  # no disconnect while the answer is written

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], start["headers"], body


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
