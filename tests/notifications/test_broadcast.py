"""Busy public groups fanned out once per server process (notifications/broadcast.py), for
real: server processes, WebSocket clients and Redis; and the hub's own delivery rules."""

import asyncio
import json

import pytest
import redis
import websockets
from channels.layers import get_channel_layer
from django.test import override_settings

from notifications import broadcast, live

from ..fairs.factories import fair_with_booths

pytestmark = pytest.mark.django_db(transaction=True)


def _layer():
    layer = get_channel_layer()
    assert broadcast.enabled(), "needs the Redis channel layer: set REDIS_URL"
    return layer


async def _open_maps(server, fair, count: int) -> list:
    url = f"{server.ws_url}/ws/live/?topics=fair.{fair.pk}"
    sockets = [await websockets.connect(url, additional_headers={"Origin": server.url}) for _ in range(count)]
    for socket in sockets:
        assert json.loads(await socket.recv()) == {"type": "hello", "topics": [f"fair.{fair.pk}"]}
    return sockets


def test_a_fair_push_is_one_redis_message_per_process_and_reaches_every_map(asgi_server_factory, redis_url):
    fair = fair_with_booths(1)
    layer = _layer()
    servers = [asgi_server_factory(redis_url=redis_url) for _ in range(2)]
    client = redis.Redis.from_url(redis_url)

    async def scenario():
        sockets = [s for server in servers for s in await _open_maps(server, fair, 3)]
        try:
            # One subscription per process, whatever its number of open maps, and no socket in the
            # channel layer's group: the push cannot have gone one message per socket.
            subscribers = dict(client.pubsub_numsub(broadcast._channel(layer)))
            assert subscribers[broadcast._channel(layer).encode()] == 2
            assert client.zcard(f"{layer.prefix}:group:fair.{fair.pk}") == 0
            await asyncio.to_thread(live.publish, f"fair.{fair.pk}", {"type": "fair.booth", "n": 1})
            return [json.loads(await asyncio.wait_for(s.recv(), 10)) for s in sockets]
        finally:
            for socket in sockets:
                await socket.close()

    received = asyncio.run(scenario())
    # The frame a socket gets is the one the channel layer's path sends (LiveConsumer.live_message).
    assert received == [{"type": "live", "topic": f"fair.{fair.pk}", "payload": {"type": "fair.booth", "n": 1}}] * 6


def test_a_lost_subscription_closes_the_maps_so_they_resync_and_new_ones_hear_again(asgi_server_factory, redis_url):
    fair = fair_with_booths(1)
    layer = _layer()
    server = asgi_server_factory(redis_url=redis_url)
    client = redis.Redis.from_url(redis_url)
    name = f"{broadcast._channel(layer)}:{server.process.pid}"  # the server's subscription only

    async def scenario():
        (socket,) = await _open_maps(server, fair, 1)
        (subscription,) = [c for c in client.client_list(_type="pubsub") if c["name"] == name]
        client.client_kill_filter(_id=subscription["id"])
        # Pushes published until the process subscribes again are lost: the page must know.
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd.code == broadcast.RESYNC_CLOSE_CODE
        await asyncio.sleep(broadcast.RETRY_AFTER_S + 0.5)
        (again,) = await _open_maps(server, fair, 1)  # as the page's reconnect does
        await asyncio.to_thread(live.publish, f"fair.{fair.pk}", {"type": "fair.booth", "n": 2})
        message = json.loads(await asyncio.wait_for(again.recv(), 10))
        await again.close()
        return message

    assert asyncio.run(scenario())["payload"] == {"type": "fair.booth", "n": 2}


class _Socket:
    """A consumer as the hub sees it: base_send and close."""

    def __init__(self, *, stalls: bool = False) -> None:
        self.sent: list[dict] = []
        self.stalls = stalls

    async def base_send(self, message) -> None:
        if self.stalls:  # a client that stopped reading: its transport paused writing
            await asyncio.Event().wait()
        self.sent.append(message)

    async def close(self, code=None) -> None:
        self.sent.append({"closed": code})


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
async def test_a_stalled_socket_holds_up_only_itself_and_other_groups_hear_nothing():
    hub = broadcast.Hub(layer=None)
    stalled, fine, elsewhere = _Socket(stalls=True), _Socket(), _Socket()
    hub.add("fair.1", stalled)
    hub.add("fair.1", fine)
    hub.add("fair.2", elsewhere)
    hub.deliver(b"fair.1\n" + broadcast.frame("fair.1", {"n": 1}).encode())
    await asyncio.sleep(0.05)
    assert fine.sent == [{"type": "websocket.send", "text": '{"type": "live", "topic": "fair.1", "payload": {"n": 1}}'}]
    assert stalled.sent == [] and elsewhere.sent == []
    hub.discard("fair.1", fine)
    hub.deliver(b"fair.1\n" + broadcast.frame("fair.1", {"n": 2}).encode())
    await asyncio.sleep(0.05)
    assert len(fine.sent) == 1
    for task in hub.sending:
        task.cancel()


def test_only_declared_public_kinds_go_once_per_process(redis_url):
    _layer()
    assert broadcast.is_broadcast("fair.12")
    assert not broadcast.is_broadcast("fair.12.staff")
    assert not broadcast.is_broadcast("user.12")  # personal: always through the channel layer
    assert not broadcast.is_broadcast("event.12.staff")
    with override_settings(LIVE_PROCESS_FANOUT=False):
        assert not broadcast.is_broadcast("fair.12")


async def test_a_subscription_that_goes_silent_is_given_up_and_its_sockets_resync(monkeypatch):
    """A Redis that confirms the subscription, then answers nothing more without closing the
    connection (a half-open TCP connection looks like that): noticed by the unanswered PINGs."""
    monkeypatch.setattr(broadcast, "PING_AFTER_S", 0.1)
    monkeypatch.setattr(broadcast, "SILENT_LIMIT_S", 0.6)
    pings = []

    async def goes_silent(reader, writer):
        while True:
            header = await reader.readline()  # a command: *<n>, then n times $<len> and the bytes
            if not header:
                return
            words = []
            for _ in range(int(header[1:])):
                size = int((await reader.readline())[1:])
                words.append((await reader.readexactly(size + 2))[:-2])
            name = words[0].upper()
            if name == b"PING":
                pings.append(name)  # never answered
            elif name == b"SUBSCRIBE":
                writer.write(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(words[1]), words[1]))
            else:  # CLIENT SETNAME / SETINFO on connect
                writer.write(b"+OK\r\n")

    server = await asyncio.start_server(goes_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    class Layer:
        prefix = "silent-test"
        hosts = [{"address": f"redis://127.0.0.1:{port}/0", "socket_connect_timeout": 1}]

    hub = broadcast.Hub(Layer())
    await hub.wait_ready()  # subscribed
    socket = _Socket()
    hub.add("fair.1", socket)
    for _ in range(40):
        await asyncio.sleep(0.05)
        if socket.sent:
            break
    assert socket.sent == [{"closed": broadcast.RESYNC_CLOSE_CODE}] and not hub.members
    assert pings  # it asked before giving up
    hub.listener.cancel()
    server.close()
