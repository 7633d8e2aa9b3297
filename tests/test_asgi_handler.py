"""config/asgi_handler.py: one thread hop per request, on a thread kept between requests."""

import asyncio

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.test import override_settings

from config.asgi_handler import OneHopASGIHandler

from . import asgi_handler_urls as views

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.asgi_handler_urls")]


@pytest.fixture(autouse=True)
def _fresh():
    views.seen.clear()
    views.gates.clear()
    yield
    for gate in views.gates.values():
        gate.set()  # never leave a test view's thread waiting


async def get(app, path: str, *, disconnect: asyncio.Event | None = None) -> tuple[int, bytes]:
    """One GET through the ASGI app; with `disconnect`, the client goes away once it is set."""
    sent = False
    answer: dict = {"status": None, "body": b""}

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if disconnect is not None:
            await disconnect.wait()
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # a client that stays

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return answer["status"], answer["body"]


async def started(name: str) -> None:
    """Until the test view /wait/<name>/ is running in its thread."""
    while f"{name}-started" not in views.gates:
        await asyncio.sleep(0.01)


async def get_twice(app) -> list[tuple[int, bytes]]:
    return [await get(app, "/where/"), await get(app, "/where/")]


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_requests_one_after_another_run_on_one_kept_thread_and_close_its_connection():
    app = OneHopASGIHandler()

    assert asyncio.run(get_twice(app)) == [(200, b"ok"), (200, b"ok")]
    first, second = views.seen
    assert first["thread"] is second["thread"]  # stock Django: a new thread per request
    assert first["thread"].is_alive()
    # Kept thread, not kept connection: Django closed it (or gave it back to the pool) at the
    # end of each request, as it does on a thread of its own.
    assert first["connection"].connection is None


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_stock_django_starts_a_thread_per_request():
    # The control for the test above: it tells the two behaviours apart.
    app = ASGIHandler()

    asyncio.run(get_twice(app))
    assert views.seen[0]["thread"] is not views.seen[1]["thread"]


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_requests_at_the_same_time_run_on_different_threads():
    app = OneHopASGIHandler()

    async def both():
        # The first view waits until the second releases it: on a shared thread that never
        # happens and the first answers "timed out" after 10 s.
        waiting = asyncio.create_task(get(app, "/wait/a/"))
        await started("a")
        return await get(app, "/release/a/"), await waiting

    released, waited = asyncio.run(both())
    assert released == (200, b"ok")
    assert waited == (200, b"released")
    assert views.seen[0]["thread"] is not views.seen[1]["thread"]
    # Both threads were given back and are reused, most recent first.
    assert len(app.idle_executors) == 2


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_a_thread_still_busy_when_its_request_was_cancelled_is_not_given_to_the_next_request():
    # A client that goes away is not this case: Django then sends request_finished through the
    # request's thread and so waits for the view. A cancelled ASGI task (a server shutting down,
    # a timeout around the app) returns at once while the view's thread runs on.
    app = OneHopASGIHandler()

    async def scenario():
        cancelled = asyncio.create_task(get(app, "/wait/b/"))
        await started("b")
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        # The next request must not queue behind the view that is still running.
        return await asyncio.wait_for(get(app, "/where/"), timeout=5)

    assert asyncio.run(scenario()) == (200, b"ok")
    busy, next_one = views.seen
    assert next_one["thread"] is not busy["thread"]
    assert busy["thread"].is_alive()  # still in the view
    views.gates["b"].set()
    busy["thread"].join(timeout=5)
    assert not busy["thread"].is_alive()  # shut down once its work was done, not kept
    assert len(app.idle_executors) == 1
