"""Live pushes of notifications: the inbox group, the event's segment group and who may join them."""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from notifications.announcements import announcement_send, notice_topics
from notifications.live import topic_authorize
from notifications.routing import websocket_urlpatterns
from notifications.services import notification_mark_read

from ..factories import EventFactory, RegistrationFactory, candidate, organizer

pytestmark = pytest.mark.django_db(transaction=True)


def test_who_may_join_inbox_and_notice_topics():
    event = EventFactory()
    seat = RegistrationFactory(event=event).user
    waiting = RegistrationFactory(event=event, status="waitlisted").user
    stranger = candidate()
    assert topic_authorize(seat, f"inbox.{seat.pk}") and not topic_authorize(stranger, f"inbox.{seat.pk}")
    assert topic_authorize(seat, f"notice.{event.pk}.registered")
    assert not topic_authorize(waiting, f"notice.{event.pk}.registered")
    assert topic_authorize(waiting, f"notice.{event.pk}.waitlisted")
    assert not topic_authorize(stranger, f"notice.{event.pk}.registered")
    assert not topic_authorize(seat, f"notice.{event.pk}.everyone")
    assert notice_topics(seat, event.pk) == [f"notice.{event.pk}.registered"]
    assert notice_topics(stranger, event.pk) == []


async def test_announcement_reaches_segment_group_and_inbox_over_websocket():
    event = await sync_to_async(EventFactory)(title="海洋论坛")
    registration = await sync_to_async(RegistrationFactory)(event=event)
    person = await sync_to_async(lambda: registration.user)()
    comm = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/live/?topics=inbox.{person.pk},notice.{event.pk}.registered"
    )
    comm.scope["user"] = person
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from()
    assert hello["topics"] == sorted([f"inbox.{person.pk}", f"notice.{event.pk}.registered", f"user.{person.pk}"])
    boss = await sync_to_async(organizer)(manages_all=True)
    sent = await sync_to_async(announcement_send)(
        actor=boss, kind="event", target_id=event.pk, segment="registered", body="改到B馆。"
    )
    banner = await comm.receive_json_from(timeout=5)
    assert banner["topic"] == f"notice.{event.pk}.registered"
    assert {k: banner["payload"][k] for k in ("type", "announcement", "event", "message", "unread_delta")} == {
        "type": "announcement",
        "announcement": sent.pk,
        "event": event.pk,
        "message": "改到B馆。",
        "unread_delta": 1,
    }
    inbox = await comm.receive_json_from(timeout=5)
    assert inbox["topic"] == f"inbox.{person.pk}"
    payload = inbox["payload"]
    assert (payload["type"], payload["unread"], payload["announcement"], payload["message"]) == (
        "notification",
        1,
        sent.pk,
        "改到B馆。",
    )
    assert payload["title"] == "主办方公告：海洋论坛"
    await sync_to_async(notification_mark_read)(user=person)
    assert (await comm.receive_json_from(timeout=5))["payload"] == {"type": "notification.read", "unread": 0}
    await comm.disconnect()
