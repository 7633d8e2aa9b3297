"""The fair map's pushes for real: a booking POSTed to one server process reaches a WebSocket
on another through Redis; a draft fair's topic is refused at the handshake."""

import asyncio
import json

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from ..liveserver import session_cookie_for
from .factories import booths, fair_with_booths, member

pytestmark = pytest.mark.django_db(transaction=True)


def _book_over_http(server, user, fair, booth):
    with httpx.Client(base_url=server.url, cookies=session_cookie_for(user)) as client:
        assert client.get(f"/fairs/{fair.pk}/map/").status_code == 200
        response = client.post(
            f"/fairs/{fair.pk}/booths/{booth.pk}/book/",
            data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
            headers={"Referer": f"{server.url}/fairs/{fair.pk}/map/"},
        )
        assert response.status_code == 302, response.text


def test_booking_on_one_process_reaches_a_map_on_another_via_redis(asgi_server_factory, redis_url, postgres):
    fair = fair_with_booths(2)
    booth = booths(fair)[1]
    company, user = member(name="青岛远航高端装备制造有限公司")
    map_server = asgi_server_factory(redis_url=redis_url)
    booking_server = asgi_server_factory(redis_url=redis_url)

    async def scenario():
        url = f"{map_server.ws_url}/ws/live/?topics=fair.{fair.pk}"
        async with websockets.connect(url, additional_headers={"Origin": map_server.url}) as ws:
            hello = json.loads(await ws.recv())
            assert hello == {"type": "hello", "topics": [f"fair.{fair.pk}"]}
            await asyncio.to_thread(_book_over_http, booking_server, user, fair, booth)
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

    message = asyncio.run(scenario())
    assert message["topic"] == f"fair.{fair.pk}"
    pushed = message["payload"]["booth"]
    assert (pushed["id"], pushed["code"], pushed["status"], pushed["company"], pushed["version"]) == (
        booth.pk,
        "A-2",
        "booked",
        "青岛远航高端装备制造有限公司",
        1,
    )
    # The snapshot any (re)connecting map fetches already says the same, on either server.
    for server in (map_server, booking_server):
        data = httpx.get(f"{server.url}/fairs/{fair.pk}/map.json").json()
        assert [b["status"] for b in data["booths"]] == ["free", "booked"]


def test_draft_fair_topic_is_refused_at_the_handshake(asgi_server_factory):
    fair = fair_with_booths(1, status="draft")
    server = asgi_server_factory()

    async def scenario():
        url = f"{server.ws_url}/ws/live/?topics=fair.{fair.pk}"
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(url, additional_headers={"Origin": server.url}):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403
