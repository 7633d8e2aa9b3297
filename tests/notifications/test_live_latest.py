"""publish_latest: inside a server loop the pushes of a superseding figure are merged and the
newest one goes out once; outside a loop it is a plain publish."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from notifications import live


async def _subscribe(group: str):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return layer, channel


async def test_pushes_within_the_window_are_merged_and_the_newest_wins():
    group = "event.987654.public"
    layer, channel = await _subscribe(group)
    for version in (2, 5, 3):  # commits may reach the loop out of order
        live.publish_latest(group, {"type": "event.seats", "version": version}, order=version)
    live.publish_latest(group, {"type": "other.kind", "version": 1}, order=1)  # its own slot
    first = await asyncio.wait_for(layer.receive(channel), 2)
    second = await asyncio.wait_for(layer.receive(channel), 2)
    assert sorted([first["payload"]["type"], second["payload"]["type"]]) == ["event.seats", "other.kind"]
    seats = first if first["payload"]["type"] == "event.seats" else second
    assert seats["payload"]["version"] == 5
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), live.LATEST_WINDOW_S * 3)
    await layer.group_discard(group, channel)


def test_outside_a_loop_it_is_sent_at_once():
    group = "event.987655.public"
    layer = get_channel_layer()

    async def setup():
        return await _subscribe(group)

    from asgiref.sync import async_to_sync

    _layer, channel = async_to_sync(setup)()
    live.publish_latest(group, {"type": "event.seats", "version": 7}, order=7)
    message = async_to_sync(layer.receive)(channel)
    assert message["payload"] == {"type": "event.seats", "version": 7}


def test_a_bad_group_name_is_refused():
    with pytest.raises(ValueError):
        live.publish_latest("event.x.public", {"type": "event.seats"}, order=1)
