"""A door scan through the fast lane (raw SQL, no Django model) on one server process reaches an
anonymous progress page's socket on another, as aggregates only."""

import asyncio
import json

import httpx
import pytest
import websockets

from programme.models import Tally
from tests.checkin.helpers import nonce, open_event, paired_device, ticket_and_code
from tests.factories import organizer

pytestmark = pytest.mark.django_db(transaction=True)


def test_fast_lane_scan_reaches_the_public_progress_page_without_personal_data(
    asgi_server_factory, redis_url, postgres
):
    event = open_event()
    head = organizer(manages_all=True)
    _device, token = paired_device(head, [event])
    ticket, code = ticket_and_code(event)
    person = ticket.registration.user
    page_server = asgi_server_factory(redis_url=redis_url)
    door_server = asgi_server_factory(redis_url=redis_url)

    def scan():
        response = httpx.post(
            f"{door_server.url}/api/checkin/scan",
            headers={"Authorization": f"Bearer {token}"},
            json={"code": code, "gate": "北门", "nonce": nonce()},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def scenario():
        url = f"{page_server.ws_url}/ws/live/?topics=programme.{event.series_id}"
        async with websockets.connect(url, additional_headers={"Origin": page_server.url}) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello" and f"programme.{event.series_id}" in json.dumps(hello)
            answer = await asyncio.to_thread(scan)
            raw = await asyncio.wait_for(ws.recv(), 10)
            return answer, raw

    answer, raw = asyncio.run(scenario())
    assert answer["result"] == "ok"
    message = json.loads(raw)
    assert message["topic"] == f"programme.{event.series_id}"
    assert message["payload"]["type"] == "programme.figures"
    assert message["payload"]["figures"]["totals"]["people"] == 1
    for secret in (person.email, person.name, person.candidate_profile.full_name, person.candidate_profile.phone):
        assert secret not in raw
    assert Tally.objects.get(series=event.series, metric="people").value == 1
