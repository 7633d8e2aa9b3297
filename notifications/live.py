"""The one way the server pushes to browsers.

Services call `publish(group, payload)` after commit. Group names are built from ids only:
`event.<id>.public`, `event.<id>.staff`, `user.<id>`. Which groups a connection may join is
decided per topic kind by the app that owns it (it registers an authorizer in ready()), so
this module imports no other app.
Delivery through a channel layer is at most once: pages fetch a snapshot on (re)connect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import Awaitable, Callable

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from . import broadcast

logger = logging.getLogger(__name__)

TOPIC_RE = re.compile(r"^(?P<kind>[a-z]+)\.(?P<id>\d{1,18})(?:\.(?P<audience>[a-z]+))?$")
MESSAGE_TYPE = "live.message"

# kind -> authorize(user, object_id, audience) -> bool; runs in a worker thread (may use the ORM).
Authorizer = Callable[[object, int, str], bool]
_authorizers: dict[str, Authorizer] = {}


def group_event_public(event_id: int) -> str:
    return f"event.{int(event_id)}.public"


def group_event_staff(event_id: int) -> str:
    return f"event.{int(event_id)}.staff"


def group_user(user_id: int) -> str:
    return f"user.{int(user_id)}"


def topic_register(kind: str, authorize: Authorizer) -> None:
    _authorizers[kind] = authorize


def _authorize_user_topic(user, user_id: int, audience: str) -> bool:
    return bool(user.is_authenticated and user.pk == user_id and not audience)


topic_register("user", _authorize_user_topic)


def group_inbox(user_id: int) -> str:
    """The person's notifications (new message, unread count). Separate from `user.<id>` so a
    page that only follows registrations is not woken by every notification, and the other way
    round; a page subscribes to it with the topic `inbox.<own id>`."""
    return f"inbox.{int(user_id)}"


topic_register("inbox", _authorize_user_topic)


def topic_authorize(user, topic: str) -> bool:
    """May `user` listen to `topic`? Unknown or malformed topics are refused."""
    match = TOPIC_RE.match(topic or "")
    if not match:
        return False
    authorize = _authorizers.get(match["kind"])
    if authorize is None:
        return False
    return bool(authorize(user, int(match["id"]), match["audience"] or ""))


def publish(group: str, payload: dict) -> None:
    """Send `payload` to everyone listening on `group`. Call it on commit, from sync code."""
    if not TOPIC_RE.match(group):
        raise ValueError(f"not a live group name: {group!r}")
    layer = get_channel_layer()
    message = {"type": MESSAGE_TYPE, "group": group, "payload": payload}
    once_per_process = broadcast.is_broadcast(group)  # a busy public group: notifications/broadcast.py

    async def send():
        try:
            if once_per_process:
                await broadcast.broadcast_send(group, payload)
            else:
                await layer.group_send(group, message)
        except Exception:  # a push is best effort: the page re-syncs from a snapshot
            logger.exception("live publish to %s failed", group)

    _dispatch(send)


CONTROL_TYPE = "live.control"


def session_tag(session_key: str | None) -> str:
    """A socket's session, named without the key itself (the channel layer is not a vault)."""
    import hashlib

    return hashlib.sha256(session_key.encode()).hexdigest()[:20] if session_key else ""


def access_changed(user_id: int, *, logged_out_session: str = "") -> None:
    """What `user_id` may hear has changed (a team removal, a logout): every socket of theirs
    re-checks each of its topics and leaves those it may no longer hear; the sockets of a
    session that logged out close. Call it on commit. Best effort like publish(); a socket
    that misses it still re-checks its topics on its next command."""
    group = group_user(user_id)  # every signed-in socket is in it (consumers.LiveConsumer.connect)
    layer = get_channel_layer()
    message = {"type": CONTROL_TYPE, "session": logged_out_session}

    async def send():
        try:
            await layer.group_send(group, message)
        except Exception:
            logger.exception("access change for user %s not delivered", user_id)

    _dispatch(send)


_in_flight: set[asyncio.Task] = set()


def _dispatch(send: Callable[[], Awaitable[None]]) -> None:
    """Run the coroutine function `send` from sync code, without blocking where it can.

    Inside an ASGI server the send is handed to the server's event loop and not waited for:
    the request thread goes on at once instead of sitting through the Redis round trips (under
    a registration burst that wait was a large share of each request). Sync code on a loop's
    own thread cannot block on it either, so it gets a task. Elsewhere (management commands,
    Celery tasks, tests) the send completes before this returns: on the process's push loop
    with Redis (see _send_on_push_loop), in a loop of its own with the in-memory layer.
    """
    loop = server_loop()
    if loop is None:
        if _layer_keeps_connections():
            _send_on_push_loop(send)
        else:
            async_to_sync(send)()
        return
    loop.call_soon_threadsafe(_start, loop, send)


# Outside a server: how long a push may take before the caller goes on without it.
PUSH_TIMEOUT_S = 10.0
_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_lock = threading.Lock()


def _push_loop_forget() -> None:
    # A forked child (a Celery pool process) has no push thread, and the lock may have been
    # held by a parent thread at the fork: it starts afresh.
    global _push_loop, _push_loop_lock
    _push_loop, _push_loop_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_push_loop_forget)


def _layer_keeps_connections() -> bool:
    """Is the channel layer Redis? Its connection pools belong to one event loop each."""
    try:
        from channels_redis.core import RedisChannelLayer
    except ImportError:  # pragma: no cover - channels_redis is a requirement
        return False
    return isinstance(get_channel_layer(), RedisChannelLayer)


def _send_on_push_loop(send: Callable[[], Awaitable[None]]) -> None:
    """Run `send` on this process's push loop and wait for it.

    async_to_sync() gives every call a new event loop, and channels_redis a new connection pool
    per loop: in a Celery worker each notice opened (and dropped) a Redis connection for its one
    push, a large share of the worker's CPU per notice. One long-lived loop per process keeps the
    pool. Created on first use in each process (a forked Celery child makes its own: threads do
    not survive a fork, see _push_loop_forget).
    """
    future = asyncio.run_coroutine_threadsafe(send(), _push_loop_get())
    try:
        future.result(timeout=PUSH_TIMEOUT_S)
    except TimeoutError:
        future.cancel()
        logger.warning("live push still not sent after %.0f s; given up", PUSH_TIMEOUT_S)


def _push_loop_get() -> asyncio.AbstractEventLoop:
    global _push_loop
    with _push_loop_lock:
        if _push_loop is None:
            _push_loop = asyncio.new_event_loop()
            threading.Thread(target=_push_loop.run_forever, name="live-push", daemon=True).start()
        return _push_loop


def _start(loop: asyncio.AbstractEventLoop, send: Callable[[], Awaitable[None]]) -> None:
    task = loop.create_task(send())
    _in_flight.add(task)  # the loop keeps only a weak reference to a task
    task.add_done_callback(_in_flight.discard)


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the ASGI server this code works for, if any: the running loop on the
    loop's own thread, or the loop asgiref records in the thread that runs a sync view
    (SyncToAsync.thread_handler). None in commands, tasks and plain tests.
    """
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop


# A figure where only the newest value matters (an event's seats left) is pushed at most this
# often per group and server process; the newest value within the window is the one sent.
LATEST_WINDOW_S = 0.1
# (group, payload type) -> (order, payload) waiting; touched on the server's loop only.
_latest: dict[tuple[str, str], tuple[int, dict]] = {}


def publish_latest(group: str, payload: dict, *, order: int) -> None:
    """publish() for a figure that supersedes itself, ordered by `order` (a version number).

    Under a registration burst every seat taken used to push the seats-left figure to every
    open page of the event: hundreds of group sends a second that pages then mostly dropped as
    outdated. Inside an ASGI server the pushes of one group and payload type are merged on the
    server's loop for LATEST_WINDOW_S and only the highest `order` goes out, so a page lags the
    truth by at most that much. Outside a server (tasks, commands, tests) it is publish().
    """
    if not TOPIC_RE.match(group):
        raise ValueError(f"not a live group name: {group!r}")
    loop = server_loop()
    if loop is None:
        publish(group, payload)
        return
    loop.call_soon_threadsafe(_merge_latest, loop, (group, str(payload.get("type", ""))), order, payload)


def _merge_latest(loop: asyncio.AbstractEventLoop, key: tuple[str, str], order: int, payload: dict) -> None:
    waiting = _latest.get(key)
    if waiting is None:
        loop.call_later(LATEST_WINDOW_S, _flush_latest, key)
    elif waiting[0] >= order:
        return  # a newer figure is already waiting (commits can reach here out of order)
    _latest[key] = (order, payload)


def _flush_latest(key: tuple[str, str]) -> None:
    waiting = _latest.pop(key, None)
    if waiting is not None:
        publish(key[0], waiting[1])


# At most this many group sends in flight at once: enough to overlap Redis round trips, few
# enough not to open a connection per recipient.
PUBLISH_CONCURRENCY = 32


def publish_many(messages: list[tuple[str, dict]]) -> None:
    """publish() for many groups at once (an announcement to every registrant's `user.<id>`).

    One event loop for the whole batch with the sends overlapped, instead of one blocking
    round trip per group: 1,000 recipients cost about as much as a few dozen single pushes.
    """
    for group, _payload in messages:
        if not TOPIC_RE.match(group):
            raise ValueError(f"not a live group name: {group!r}")
    if not messages:
        return
    layer = get_channel_layer()

    async def send_all():
        gate = asyncio.Semaphore(PUBLISH_CONCURRENCY)

        async def send(group, payload):
            async with gate:
                try:
                    await layer.group_send(group, {"type": MESSAGE_TYPE, "group": group, "payload": payload})
                except Exception:  # best effort, like publish()
                    logger.exception("live publish to %s failed", group)

        await asyncio.gather(*(send(group, payload) for group, payload in messages))

    _dispatch(send_all)
