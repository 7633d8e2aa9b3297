"""The live backbone for real: a WebSocket client against running ASGI server processes."""

import asyncio
import json

import httpx
import pytest
import websockets

from events.models import Registration

from ..factories import EventFactory, RegistrationFactory, candidate
from ..liveserver import session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _receive_until(ws, predicate, timeout=10.0):
    async def loop():
        while True:
            message = json.loads(await ws.recv())
            if predicate(message):
                return message

    return await asyncio.wait_for(loop(), timeout)


def _register_over_http(server, user, event):
    """Register the way a browser does: fetch the page for the CSRF cookie, then POST."""
    with httpx.Client(base_url=server.url, cookies=session_cookie_for(user)) as client:
        page = client.get(f"/events/{event.pk}/")
        assert page.status_code == 200
        token = client.cookies["csrftoken"]
        response = client.post(
            f"/events/{event.pk}/register/",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": f"{server.url}/events/{event.pk}/"},
        )
        assert response.status_code == 302, response.text


def _watch_and_register(ws_server, http_server, event, registrant, watcher=None):
    async def scenario():
        headers = {"Origin": ws_server.url}
        if watcher is not None:
            cookie = session_cookie_for(watcher)
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookie.items())
        url = f"{ws_server.ws_url}/ws/live/?topics=event.{event.pk}.public"
        async with websockets.connect(url, additional_headers=headers) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello"
            assert f"event.{event.pk}.public" in hello["topics"]
            await asyncio.to_thread(_register_over_http, http_server, registrant, event)
            return await _receive_until(ws, lambda m: m.get("type") == "live")

    return asyncio.run(scenario())


def test_seat_count_reaches_websocket_client_on_same_server(asgi_server_factory):
    event = EventFactory(capacity=3)
    server = asgi_server_factory()
    message = _watch_and_register(server, server, event, candidate())
    assert message["topic"] == f"event.{event.pk}.public"
    payload = message["payload"]
    assert payload["type"] == "event.seats"
    assert (payload["confirmed"], payload["seats_left"], payload["waitlisted"]) == (1, 2, 0)
    assert payload["version"] == 1
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1


def test_registration_on_one_process_reaches_page_on_another_via_redis(asgi_server_factory, redis_url, postgres):
    event = EventFactory(capacity=1)
    first = candidate()
    RegistrationFactory(event=event, user=first, status="confirmed")
    page_server = asgi_server_factory(redis_url=redis_url)
    other_server = asgi_server_factory(redis_url=redis_url)
    message = _watch_and_register(page_server, other_server, event, candidate())
    payload = message["payload"]
    assert (payload["confirmed"], payload["seats_left"], payload["waitlisted"]) == (1, 0, 1)


def test_websocket_refuses_staff_topic_and_foreign_origin(asgi_server_factory):
    event = EventFactory()
    server = asgi_server_factory()

    async def scenario():
        # An anonymous page asking for the staff group is refused at the handshake.
        url = f"{server.ws_url}/ws/live/?topics=event.{event.pk}.staff"
        with pytest.raises(websockets.exceptions.InvalidStatus) as forbidden:
            async with websockets.connect(url, additional_headers={"Origin": server.url}):
                pass
        assert forbidden.value.response.status_code == 403
        # The public group of the same event is fine.
        async with websockets.connect(
            f"{server.ws_url}/ws/live/?topics=event.{event.pk}.public", additional_headers={"Origin": server.url}
        ) as ws:
            assert json.loads(await ws.recv())["topics"] == [f"event.{event.pk}.public"]
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with websockets.connect(
                f"{server.ws_url}/ws/live/", additional_headers={"Origin": "http://evil.example"}
            ):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())
