"""The live consumer's rules, driven in-process with Channels' communicator."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from notifications import live
from notifications.routing import websocket_urlpatterns

from ..factories import EventFactory, candidate, organizer, team_member

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


def communicator(user, query=""):
    path = "/ws/live/" + (f"?{query}" if query else "")
    comm = WebsocketCommunicator(application, path)
    comm.scope["user"] = user if user is not None else AnonymousUser()
    return comm


def test_topic_names_are_built_from_ids_only():
    assert live.group_event_public(42) == "event.42.public"
    assert live.group_event_staff("7") == "event.7.staff"
    assert live.group_user(3) == "user.3"
    with pytest.raises(ValueError):
        live.group_user("3; DROP")
    with pytest.raises(ValueError):
        live.publish("event.42.public; evil", {})


async def test_anonymous_hears_public_event_and_nothing_of_users():
    event = await sync_to_async(EventFactory)()
    comm = communicator(None, f"topics=event.{event.pk}.public")
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from()
    assert hello == {"type": "hello", "topics": [f"event.{event.pk}.public"]}
    await comm.send_json_to({"action": "subscribe", "topic": "user.1"})
    assert await comm.receive_json_from() == {"type": "error", "code": "forbidden", "topic": "user.1"}
    await get_channel_layer().group_send(
        f"event.{event.pk}.public",
        {"type": live.MESSAGE_TYPE, "group": f"event.{event.pk}.public", "payload": {"n": 1}},
    )
    assert await comm.receive_json_from() == {"type": "live", "topic": f"event.{event.pk}.public", "payload": {"n": 1}}
    await comm.disconnect()


async def test_logged_in_user_joins_own_group_only():
    user = await sync_to_async(candidate)()
    other = await sync_to_async(candidate)()
    comm = communicator(user)
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from())["topics"] == [f"user.{user.pk}"]
    await comm.send_json_to({"action": "subscribe", "topic": f"user.{other.pk}"})
    assert (await comm.receive_json_from())["code"] == "forbidden"
    await comm.disconnect()


async def test_staff_topic_needs_scan_or_edit_right_on_that_event():
    event = await sync_to_async(EventFactory)()
    other_event = await sync_to_async(EventFactory)()
    staff = await sync_to_async(organizer)()
    await sync_to_async(team_member)(event, staff, can_edit=False, can_scan=True)
    outsider = await sync_to_async(candidate)()

    refused = communicator(outsider, f"topics=event.{event.pk}.staff")
    connected, _ = await refused.connect()
    assert not connected

    comm = communicator(staff, f"topics=event.{event.pk}.staff")
    connected, _ = await comm.connect()
    assert connected
    assert f"event.{event.pk}.staff" in (await comm.receive_json_from())["topics"]
    await comm.send_json_to({"action": "subscribe", "topic": f"event.{other_event.pk}.staff"})
    assert (await comm.receive_json_from())["code"] == "forbidden"
    await comm.disconnect()


async def test_draft_event_public_topic_refused_and_bad_commands_answered():
    draft = await sync_to_async(EventFactory)(status="draft")
    comm = communicator(None)
    connected, _ = await comm.connect()
    assert connected
    await comm.receive_json_from()
    for command, expected in [
        ({"action": "subscribe", "topic": f"event.{draft.pk}.public"}, "forbidden"),
        ({"action": "subscribe", "topic": "event.abc.public"}, "forbidden"),
        ({"action": "subscribe", "topic": "nosuchkind.1"}, "forbidden"),
        ({"action": "fly"}, "bad_command"),
        (["not", "an", "object"], "bad_command"),
    ]:
        await comm.send_json_to(command)
        assert (await comm.receive_json_from())["code"] == expected
    await comm.send_json_to({"action": "ping"})
    assert await comm.receive_json_from() == {"type": "pong"}
    await comm.disconnect()


async def test_too_many_topics_refused():
    events = [await sync_to_async(EventFactory)() for _ in range(live_max() + 1)]
    comm = communicator(None)
    await comm.connect()
    await comm.receive_json_from()
    answers = []
    for event in events:
        await comm.send_json_to({"action": "subscribe", "topic": f"event.{event.pk}.public"})
        answers.append((await comm.receive_json_from())["type"])
    assert answers == ["subscribed"] * live_max() + ["error"]
    await comm.disconnect()


def live_max():
    from notifications.consumers import MAX_TOPICS

    return MAX_TOPICS


async def test_a_push_is_delivered_without_channels_per_message_thread_hop(monkeypatch):
    """Pushes skip aclose_old_connections (a worker-thread hop per socket and message); other
    messages keep it."""
    import channels.consumer

    hops = []

    async def counted():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    event = await sync_to_async(EventFactory)()
    group = f"event.{event.pk}.public"
    comm = communicator(None, f"topics={group}")
    connected, _ = await comm.connect()
    assert connected
    await comm.receive_json_from()  # hello
    hops.clear()
    for n in range(3):
        await get_channel_layer().group_send(group, {"type": live.MESSAGE_TYPE, "group": group, "payload": {"n": n}})
    assert [(await comm.receive_json_from())["payload"]["n"] for _ in range(3)] == [0, 1, 2]
    assert hops == []
    await comm.send_json_to({"action": "ping"})
    assert await comm.receive_json_from() == {"type": "pong"}
    assert hops == [1]
    await comm.disconnect()
