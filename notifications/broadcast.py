"""Busy public groups (a fair's map, an event's seats) fanned out once per server process.

Through channels_redis a group message reaches each server process once already (one Redis
list per process), but then every socket of the group pays for its own delivery: its consumer's
receive wakes (two new tasks, a queue, the layer's receive lock), channels dispatches the
message and the consumer encodes the same JSON again. With 200 open maps that was about a third
of the server's CPU during a booking burst (bench/booth_map.py --profile: `live_fanout`).

Here a broadcast group's push is encoded once by the publisher and sent with one Redis PUBLISH
on one channel (`<prefix>:<db>:broadcast`). Each server process holds one subscription to that
channel, opened with its first broadcast socket, and writes the ready frame to its own sockets
of that group: one task per socket, so a socket whose client reads slowly holds up only itself.

What stays as before: delivery is at most once (a page fetches a snapshot on every hello);
only topics an app declares public and busy go this way (`broadcast_register`), everything
personal keeps the channel layer. Redis connections stay bounded: a publish borrows one from
the channel layer's bounded pool, and the subscription is one more connection per process.
What pub/sub changes: a message published while a process's subscription is down is lost
silently (the Redis lists kept it until read). So when the subscription breaks, this process
closes its broadcast sockets; their pages reconnect and re-sync from a snapshot, which is what
they do after any drop. With an in-memory channel layer (one process) nothing goes this way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# (topic kind, audience) pairs that are fanned out per process; apps declare theirs in ready().
_broadcast_kinds: set[tuple[str, str]] = set()
# Close code for sockets whose pushes may have been missed: "service restart", the page
# reconnects (static/js/live.js retries after any close) and re-syncs from its snapshot.
RESYNC_CLOSE_CODE = 1012
# How long a socket's join waits for its process's subscription before failing like a
# group_add with Redis down (the socket closes; the page retries).
JOIN_WAIT_S = 5.0
RETRY_AFTER_S = 1.0  # between two attempts to (re)subscribe
PING_AFTER_S = 5.0  # of silence on the subscription
SILENT_LIMIT_S = 12.0  # without anything heard, not even a pong: the connection is dead


def broadcast_register(kind: str, audience: str = "") -> None:
    """Pushes to topics `kind.<id>[.audience]` go through the per-process fan-out."""
    _broadcast_kinds.add((kind, audience))


def is_broadcast(group: str) -> bool:
    """`group` is a valid topic name (`kind.<id>[.audience]`, live.TOPIC_RE: live checks it)."""
    kind, _, rest = group.partition(".")
    audience = rest.partition(".")[2]
    return (kind, audience) in _broadcast_kinds and enabled()


def enabled() -> bool:
    """Only across processes (a Redis channel layer), and unless turned off in the settings."""
    if not getattr(settings, "LIVE_PROCESS_FANOUT", True):
        return False
    from channels_redis.core import RedisChannelLayer

    return isinstance(get_channel_layer(), RedisChannelLayer)


def frame(group: str, payload: dict) -> str:
    """The text a socket receives for a push: what LiveConsumer.live_message sends."""
    return json.dumps({"type": "live", "topic": group, "payload": payload})


def _channel(layer) -> str:
    """Pub/sub channels are not per database: the database number is part of the name, so two
    sites on one Redis (different databases, same prefix) never hear each other's pushes."""
    from redis.asyncio.connection import parse_url

    database = parse_url(layer.hosts[0]["address"]).get("db", 0)
    return f"{layer.prefix}:{database}:broadcast"


def subscriber_name(layer) -> str:
    """The subscription's Redis client name (CLIENT LIST): the channel and the process."""
    return f"{_channel(layer)}:{os.getpid()}"


async def broadcast_send(group: str, payload: dict) -> None:
    """One PUBLISH for every process; a connection of the layer's bounded pool carries it."""
    layer = get_channel_layer()
    data = group.encode() + b"\n" + frame(group, payload).encode()
    await layer.connection(0).publish(_channel(layer), data)


class Hub:
    """This process's subscription and its sockets per broadcast group (one per event loop)."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.members: dict[str, set] = {}  # group -> consumers
        self.ready = asyncio.Event()  # set while the subscription is confirmed
        self.listener: asyncio.Task | None = None
        self.sending: set[asyncio.Task] = set()  # the loop keeps only weak references

    async def wait_ready(self) -> None:
        if self.listener is None or self.listener.done():
            self.listener = asyncio.get_running_loop().create_task(self._listen())
        await asyncio.wait_for(self.ready.wait(), timeout=JOIN_WAIT_S)

    def add(self, group: str, consumer) -> None:
        self.members.setdefault(group, set()).add(consumer)

    def discard(self, group: str, consumer) -> None:
        members = self.members.get(group)
        if members is not None:
            members.discard(consumer)
            if not members:
                del self.members[group]

    def deliver(self, data: bytes) -> None:
        group, _, text = data.partition(b"\n")
        members = self.members.get(group.decode("ascii", "replace"))
        if not members:
            return  # no socket of this group in this process
        message = {"type": "websocket.send", "text": text.decode()}
        for consumer in list(members):
            self._spawn(consumer.base_send(message))

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.sending.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task) -> None:
        self.sending.discard(task)
        if not task.cancelled():
            task.exception()  # a socket closed meanwhile: nothing to do, at most once

    async def _listen(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        host = dict(self.layer.hosts[0])
        address = host.pop("address")
        while True:
            # No retries: redis-py would reconnect and resubscribe on its own, and the messages
            # published meanwhile would be lost without anyone knowing.
            client = Redis.from_url(
                address,
                socket_connect_timeout=host.get("socket_connect_timeout"),
                socket_timeout=SILENT_LIMIT_S,  # the connection's own handshake (CLIENT SETNAME)
                retry=Retry(NoBackoff(), 0),
                client_name=subscriber_name(self.layer),
            )
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(_channel(self.layer))
                heard = time.monotonic()
                while True:
                    message = await pubsub.get_message(timeout=PING_AFTER_S)
                    if message is None:
                        # Quiet: a PING, whose pong must come back, so a connection that died
                        # without a word (a half-open TCP) is noticed within SILENT_LIMIT_S.
                        if time.monotonic() - heard > SILENT_LIMIT_S:
                            raise ConnectionError("no answer from Redis on the broadcast subscription")
                        await pubsub.ping()
                        continue
                    heard = time.monotonic()
                    if message["type"] == "message":
                        self.deliver(message["data"])
                    elif message["type"] == "subscribe":
                        self.ready.set()  # confirmed: from now on every push reaches this process
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live broadcast subscription lost; its sockets re-sync", exc_info=True)
            finally:
                self.ready.clear()
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except Exception:  # already broken: nothing left to close
                    pass
            self._resync()
            await asyncio.sleep(RETRY_AFTER_S)

    def _resync(self) -> None:
        """Close this process's broadcast sockets: they may have missed pushes."""
        consumers = {consumer for members in self.members.values() for consumer in members}
        self.members.clear()
        for consumer in consumers:
            self._spawn(consumer.close(code=RESYNC_CLOSE_CODE))


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        for old in [old for old in _hubs if old.is_closed()]:
            del _hubs[old]
        found = _hubs[loop] = Hub(get_channel_layer())
    return found
