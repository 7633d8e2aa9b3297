"""Announcement fan-out: N WebSocket clients on one event's page, across two server processes
sharing Redis; an organizer sends an announcement; how many got it, and how fast.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/fanout.py [--clients 1000] [--servers 2] [--timeout 15]

N candidates with a confirmed seat and a logged-in session are created directly in the
database (bulk); two `uvicorn` processes (production mode, one worker each, same Redis) are
started; each client opens the event page's live socket exactly as the page does
(`event.<id>.public`, `inbox.<own id>`, `notice.<id>.registered`), alternating between the servers, and
waits for its hello. Then the organizer POSTs the real announcement form to the first server.
The delay of a client is from just before that POST to the moment its socket first receives
the announcement (the banner on the segment group, or its own inbox message, whichever comes
first): it includes writing N notifications, the commit, and the push through Redis to both
processes. E-mail for announcements is switched off for the bench users (their
preference), so no SMTP server is needed. Prints one JSON line; the bench data is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import time
from datetime import timedelta

from _support import django_setup, ms, percentile, start_server

django_setup()

import httpx  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from events.models import Event, Registration, Series  # noqa: E402
from notifications.models import Announcement, Preference  # noqa: E402

BODY = "压测公告：下午场改到B馆三楼。"


def session_key_for(user: User, expiry) -> Session:
    store = SessionStore()
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    return Session(session_key=store._get_new_session_key(), session_data=store.encode(data), expire_date=expiry)


def prepare(clients: int, run: str):
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FORUM,
        title=f"fanout {run}",
        capacity=clients,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=3),
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(email=f"fanout-{run}-{i}@bench.local", name=f"压测{i}", role=User.Role.CANDIDATE, password=password)
            for i in range(clients)
        ]
    )
    if not users or users[0].pk is None:
        users = list(User.objects.filter(email__startswith=f"fanout-{run}-").order_by("id"))
    Registration.objects.bulk_create(
        [Registration(event=event, user=u, status="confirmed", confirmed_at=now) for u in users], batch_size=500
    )
    Event.objects.filter(pk=event.pk).update(seats_confirmed=len(users))  # bulk rows skip the services
    Preference.objects.bulk_create(
        [Preference(user=u, kind="announcement", email=False) for u in users], batch_size=500
    )
    boss = User.objects.create(email=f"fanout-{run}-organizer@bench.local", role=User.Role.ORGANIZER, password=password)
    boss.user_permissions.add(Permission.objects.get(codename="manage_all_events"))
    # A second, small event to warm the server up with one announcement first (a running server
    # has rendered announcements before; the first one in a fresh process compiles the templates).
    warm = Event.objects.create(
        series=series,
        kind=Event.Kind.FORUM,
        title=f"fanout {run} warm-up",
        capacity=1,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=3),
    )
    Registration.objects.create(event=warm, user=users[0], status="confirmed", confirmed_at=now)
    Event.objects.filter(pk=warm.pk).update(seats_confirmed=1)
    expiry = now + timedelta(hours=2)
    sessions = [session_key_for(u, expiry) for u in [*users, boss]]
    Session.objects.bulk_create(sessions, batch_size=500)
    connection.close()
    return event, warm, users, [s.session_key for s in sessions[:-1]], sessions[-1].session_key


def cleanup(events: list[Event], run: str) -> None:
    for event in events:
        Announcement.objects.filter(target=f"event:{event.pk}").delete()
        event.delete()
    User.objects.filter(email__startswith=f"fanout-{run}-").delete()


async def post_announcement(http, event, boss_key: str, cookie_name: str):
    csrf = _get_new_csrf_string()
    return await http.post(
        f"/console/events/{event.pk}/announcements/",
        data={"csrfmiddlewaretoken": csrf, "segment": "registered", "body": BODY},
        headers={
            "Cookie": f"{cookie_name}={boss_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "Referer": f"{http.base_url}/console/events/{event.pk}/announcements/",
        },
    )


async def fanout(
    urls: list[str], event: Event, warm: Event, users, keys: list[str], boss_key: str, timeout: float
) -> dict:
    received: dict[int, float] = {}
    ready = 0
    all_ready = asyncio.Event()
    t0 = 0.0
    errors = 0
    cookie_name = settings.SESSION_COOKIE_NAME

    async def client(index: int, user: User, key: str, gate: asyncio.Semaphore):
        nonlocal ready, errors
        base = urls[index % len(urls)]
        # What the event page joins: the event, the person's inbox, their segment's announcement group.
        topics = f"event.{event.pk}.public,inbox.{user.pk},notice.{event.pk}.registered"
        ws_url = base.replace("http://", "ws://") + f"/ws/live/?topics={topics}"
        headers = {"Cookie": f"{cookie_name}={key}", "Origin": base}
        try:
            async with gate:
                socket = await websockets.connect(
                    ws_url, additional_headers=headers, open_timeout=60, ping_interval=None, max_queue=None
                )
                hello = json.loads(await socket.recv())
                assert hello["type"] == "hello" and f"inbox.{user.pk}" in hello["topics"], hello
        except Exception:
            errors += 1
            ready += 1
            if ready == len(keys):
                all_ready.set()
            return
        ready += 1
        if ready == len(keys):
            all_ready.set()
        try:
            async with socket:
                while True:
                    message = json.loads(await socket.recv())
                    payload = message.get("payload") or {}
                    if payload.get("type") in ("notification", "announcement") and payload.get("event") == event.pk:
                        received[index] = time.perf_counter()
                        return
        except Exception:
            return

    gate = asyncio.Semaphore(50)  # handshakes in flight: the servers also check each topic
    tasks = [asyncio.create_task(client(i, u, k, gate)) for i, (u, k) in enumerate(zip(users, keys))]
    connect_started = time.perf_counter()
    await asyncio.wait_for(all_ready.wait(), timeout=300)
    connect_s = time.perf_counter() - connect_started
    await asyncio.sleep(1.0)  # every group_add has settled in Redis

    async with httpx.AsyncClient(base_url=urls[0], timeout=60) as http:
        warm_up = await post_announcement(http, warm, boss_key, cookie_name)
        assert warm_up.status_code == 302, warm_up.status_code
        await asyncio.sleep(1.0)
        t0 = time.perf_counter()
        response = await post_announcement(http, event, boss_key, cookie_name)
        post_s = time.perf_counter() - t0
    if response.status_code != 302:
        raise SystemExit(f"the announcement was refused: {response.status_code} {response.text[:300]}")
    deadline = time.perf_counter() + timeout
    while len(received) < len(keys) - errors and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    # Hang up in small batches: a thousand sockets closing at once is a restart, not this bench.
    for start in range(0, len(tasks), 50):
        for task in tasks[start : start + 50]:
            task.cancel()
        await asyncio.gather(*tasks[start : start + 50], return_exceptions=True)
        await asyncio.sleep(0.05)
    delays = [at - t0 for at in received.values()]
    return {"delays": delays, "errors": errors, "connect_s": connect_s, "post_s": post_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for deliveries")
    args = parser.parse_args()
    if not settings.REDIS_URL:
        raise SystemExit("needs REDIS_URL: the servers must share a channel layer")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.clients + 256)), hard))

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    event, warm, users, keys, boss_key = prepare(args.clients, run)
    servers = [start_server(workers=1) for _ in range(args.servers)]
    try:
        result = asyncio.run(fanout([url for _p, url in servers], event, warm, users, keys, boss_key, args.timeout))
    finally:
        for process, _url in servers:
            process.terminate()
        for process, _url in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a graceful shutdown still waiting on sockets
                process.kill()
                process.wait(timeout=10)
    reach = Announcement.objects.filter(target=f"event:{event.pk}").values_list("recipients", flat=True).first()
    cleanup([event, warm], run)
    delays = result["delays"]
    print(
        json.dumps(
            {
                "bench": "fanout",
                "database": connection.vendor,
                "servers": args.servers,
                "clients": args.clients,
                "connect_errors": result["errors"],
                "recipients": reach,
                "delivered": len(delays),
                "lost": args.clients - len(delays),
                "p50_ms": ms(percentile(delays, 50)),
                "p99_ms": ms(percentile(delays, 99)),
                "max_ms": ms(max(delays) if delays else 0.0),
                "post_ms": ms(result["post_s"]),
                "connect_all_s": round(result["connect_s"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
