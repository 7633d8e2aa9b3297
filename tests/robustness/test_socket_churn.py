"""Sockets that come and go leave nothing behind in the worker: every consumer's receive ends
when its socket closes, so the consumer ends, its memory goes, and a worker asked to stop (a
deploy, a scale-in) stops at once.

Against a Redis of its own (tests/robustness/support.py), with the layer's real options.
"""

from __future__ import annotations

import asyncio

from config import channel_layer, redis_options

from .support import own_redis  # noqa: F401  (fixture)


async def _sockets_leave(layer, count: int, wait_s: float) -> int:
    """What `count` consumers do on the same worker: join a group, wait for messages, then (the
    socket closed) leave the group while channels cancels their receive and waits for it.
    Returns how many receives were still running `wait_s` after their cancellation."""
    channels = [await layer.new_channel() for _ in range(count)]
    for channel in channels:
        await layer.group_add("event.1.public", channel)
    receives = [asyncio.ensure_future(layer.receive(channel)) for channel in channels]
    await asyncio.sleep(1.0)  # one of them now holds the worker's BZPOPMIN

    async def leave(channel, receive):
        await layer.group_discard("event.1.public", channel)
        receive.cancel()
        try:
            await receive
        except asyncio.CancelledError:
            pass

    leaving = [asyncio.ensure_future(leave(c, r)) for c, r in zip(channels, receives)]
    _done, stuck = await asyncio.wait(leaving, timeout=wait_s)
    for task in stuck:
        task.cancel()
    return len(stuck)


def test_a_cancelled_receive_always_ends(own_redis):
    # Catches: channels_redis' receive, with the socket options Boju needs (read timeout, health
    # checks, retries), sometimes swallowed the cancellation sent when a socket closed (about one
    # round in four here) and went on blocking. Its consumer never ended: the worker kept the
    # task, and on SIGTERM uvicorn waited "for background tasks to complete" forever.
    async def rounds():
        stuck = []
        for number in range(8):
            layer = channel_layer.BoundedRedisChannelLayer(
                hosts=[redis_options.channel_host(own_redis.url)], prefix=f"churn{number}"
            )
            stuck.append(await _sockets_leave(layer, 6, wait_s=7.0))
            await layer.close_pools()
        return stuck

    assert asyncio.run(rounds()) == [0] * 8
