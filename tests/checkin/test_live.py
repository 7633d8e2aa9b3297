"""A scan handled by one server process reaches a dashboard WebSocket on another through Redis;
the staff topic is refused to people who may not scan; the public count is pushed too."""

import asyncio
import json

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.factories import candidate, organizer, team_member
from tests.liveserver import session_cookie_for

from .helpers import nonce, open_event, paired_device, ticket_and_code

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_header(user) -> str:
    return "; ".join(f"{k}={v}" for k, v in session_cookie_for(user).items())


def test_scan_on_one_process_reaches_dashboard_socket_on_another(asgi_server_factory, redis_url, postgres):
    event = open_event()
    editor = organizer()
    team_member(event, editor, can_edit=False, can_scan=True)
    _device, token = paired_device(editor, [event])
    ticket, code = ticket_and_code(event)
    dashboard_server = asgi_server_factory(redis_url=redis_url)
    scan_server = asgi_server_factory(redis_url=redis_url)
    topics = f"event.{event.pk}.staff,event.{event.pk}.public"

    def scan_over_http():
        response = httpx.post(
            f"{scan_server.url}/api/checkin/scan",
            headers={"Authorization": f"Bearer {token}"},
            json={"code": code, "gate": "北门", "nonce": nonce()},
        )
        assert response.status_code == 200, response.text
        return response.json()

    headers = {"Origin": dashboard_server.url, "Cookie": _cookie_header(editor)}

    async def scenario():
        url = f"{dashboard_server.ws_url}/ws/live/?topics={topics}"
        async with websockets.connect(url, additional_headers=headers) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello"
            answer = await asyncio.to_thread(scan_over_http)
            received = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(2)]
            return answer, received

    answer, received = asyncio.run(scenario())
    assert answer["result"] == "ok"
    by_topic = {message["topic"]: message["payload"] for message in received}
    staff = by_topic[f"event.{event.pk}.staff"]
    assert (staff["type"], staff["event"], len(staff["scans"])) == ("checkin.scans", event.pk, 1)
    row = staff["scans"][0]
    assert (row["result"], row["gate"], row["new"], row["name"]) == (
        "ok",
        "北门",
        True,
        ticket.registration.user.display_name,
    )
    assert by_topic[f"event.{event.pk}.public"] == {"type": "checkin.inside", "event": event.pk, "inside": 1}


def test_staff_topic_refused_to_candidate(asgi_server_factory):
    event = open_event()
    server = asgi_server_factory()

    headers = {"Origin": server.url, "Cookie": _cookie_header(candidate())}

    async def scenario():
        url = f"{server.ws_url}/ws/live/?topics=event.{event.pk}.staff"
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(url, additional_headers=headers):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403
