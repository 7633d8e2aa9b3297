"""config.concurrency.HttpConcurrencyLimit: a bound on HTTP requests in flight per process."""

import asyncio

import pytest

from config.concurrency import HttpConcurrencyLimit


class Recorder:
    """An ASGI app that stays busy for a moment and records how many calls overlap."""

    def __init__(self):
        self.inside = 0
        self.most = 0
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.inside += 1
        self.calls += 1
        self.most = max(self.most, self.inside)
        await asyncio.sleep(0.01)
        self.inside -= 1


async def test_http_requests_beyond_the_limit_wait_and_all_complete():
    app = Recorder()
    limited = HttpConcurrencyLimit(app, limit=2)
    await asyncio.gather(*(limited({"type": "http"}, None, None) for _ in range(7)))
    assert app.calls == 7
    assert app.most == 2


async def test_websockets_are_not_counted_against_the_limit():
    app = Recorder()
    limited = HttpConcurrencyLimit(app, limit=1)
    await asyncio.gather(*(limited({"type": "websocket"}, None, None) for _ in range(5)))
    assert app.calls == 5
    assert app.most == 5


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        HttpConcurrencyLimit(Recorder(), limit=0)
