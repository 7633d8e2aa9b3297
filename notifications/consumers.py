"""The live WebSocket: one connection per page, subscribed to topics it is allowed to hear.

The consumer trusts nothing from the client: every topic, given in the query string at
connect or in a `subscribe` command later, goes through `live.topic_authorize`, which runs
the owning app's check in a worker thread. The consumer itself never touches the ORM.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from config.inputs import json_loads

from . import broadcast, live

MAX_TOPICS = 20
MAX_FRAME_CHARS = 4096  # a command is a few dozen characters


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope.get("user")
        self.topics: set[str] = set()
        query = parse_qs(self.scope.get("query_string", b"").decode("ascii", "ignore"))
        wanted = [t for value in query.get("topics", []) for t in value.split(",") if t][:MAX_TOPICS]
        allowed = [topic for topic in wanted if await self._authorize(topic)]
        if len(allowed) != len(wanted):
            await self.close()  # before accept: the handshake is refused with HTTP 403
            return
        session = self.scope.get("session")
        self.session_tag = live.session_tag(getattr(session, "session_key", None))
        if self.user is not None and self.user.is_authenticated:
            allowed.append(live.group_user(self.user.pk))  # also where access changes arrive
        await self.accept()
        for topic in allowed:
            await self._join(topic)
        await self.send_json({"type": "hello", "topics": sorted(self.topics)})
        self._attach()

    async def disconnect(self, code):
        for topic in list(getattr(self, "topics", ())):
            await self._leave(topic)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # channels' JSON consumer raised on a binary frame, on text that is not JSON and on deeply
        # nested JSON (RecursionError), and the exception closed the socket with an error.
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json({"type": "error", "code": "bad_command"})
            return
        try:
            content = json_loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "code": "bad_command"})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": "bad_command"})
            return
        action, topic = content.get("action"), content.get("topic")
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "subscribe" and isinstance(topic, str):
            if len(self.topics) >= MAX_TOPICS:
                await self.send_json({"type": "error", "code": "too_many_topics", "topic": topic})
            elif await self._authorize(topic):
                await self._join(topic)
                await self.send_json({"type": "subscribed", "topic": topic})
                self._attach()
            else:
                await self.send_json({"type": "error", "code": "forbidden", "topic": topic})
        elif action == "unsubscribe" and isinstance(topic, str) and topic in self.topics:
            self.topics.discard(topic)
            await self._leave(topic)
            await self.send_json({"type": "unsubscribed", "topic": topic})
        else:
            await self.send_json({"type": "error", "code": "bad_command"})

    async def dispatch(self, message):
        # channels closes stale database connections in a worker thread before every handler
        # (aclose_old_connections). A push never touches the database, and with hundreds of
        # open pages each push would pay that thread hop once per socket: about half the CPU
        # of a fan-out. Everything else (connect, commands) keeps channels' way.
        if message.get("type") == live.MESSAGE_TYPE:
            await self.live_message(message)
            return
        await super().dispatch(message)

    async def live_control(self, event):
        """live.access_changed(): a logout of this socket's session closes it; otherwise every
        topic is authorized again, with the person as the database has them now."""
        if event.get("session") and event["session"] == self.session_tag:
            await self.close(code=4401)
            return
        self.user = await self._fresh_user()
        if self.user is None:
            await self.close(code=4401)
            return
        for topic in sorted(self.topics):
            if not await self._authorize(topic):
                self.topics.discard(topic)
                await self._leave(topic)
                await self.send_json({"type": "revoked", "topic": topic})

    @database_sync_to_async
    def _fresh_user(self):
        from django.contrib.auth import get_user_model

        if self.user is None or not self.user.is_authenticated:
            return self.user
        return get_user_model().objects.filter(pk=self.user.pk, is_active=True).first()

    async def live_message(self, event):
        await self.send_json({"type": "live", "topic": event["group"], "payload": event["payload"]})

    async def _join(self, topic: str) -> None:
        if topic not in self.topics:
            if broadcast.is_broadcast(topic):
                # Joined by _attach() once the reply is out, so no push comes before the hello
                # (or the "subscribed"), as through the layer, where pushes wait for connect().
                await broadcast.hub().wait_ready()
            else:
                await self.channel_layer.group_add(topic, self.channel_name)
            self.topics.add(topic)

    def _attach(self) -> None:
        """This socket now hears its broadcast topics (notifications/broadcast.py)."""
        for topic in self.topics:
            if broadcast.is_broadcast(topic):
                broadcast.hub().add(topic, self)

    async def _leave(self, topic: str) -> None:
        if broadcast.is_broadcast(topic):
            broadcast.hub().discard(topic, self)
        else:
            await self.channel_layer.group_discard(topic, self.channel_name)

    @database_sync_to_async
    def _authorize(self, topic: str) -> bool:
        user = self.user
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            user = AnonymousUser()
        return live.topic_authorize(user, topic)
