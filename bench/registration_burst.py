"""Registration burst: N candidates register at once for an event with limited seats.

Run against a production-like server (PostgreSQL, Redis, several uvicorn workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/registration_burst.py [--candidates 1000] [--concurrency 50] \
        [--seats 100] [--workers 2] [--http-concurrency 1] [--url http://host:port]

Without --url it starts `uvicorn --workers N` itself. The candidates, their sessions and the
event are created directly in the database first (bulk, with one shared password hash), then
`--warmup` other candidates register for another event (not measured: the server's start-up is
not part of a burst), then every candidate POSTs the real registration form. Prints one JSON
line of figures, with the server's CPU per registration when it started the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import timedelta

from _support import (
    django_setup,
    http_client,
    login_sessions,
    ms,
    percentile,
    process_tree_cpu_s,
    start_celery_worker,
    start_server,
)

django_setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CandidateProfile, User  # noqa: E402
from events.models import Event, Registration, Series  # noqa: E402
from notifications.models import Notification  # noqa: E402

NOTICE_KINDS = ("registration.confirmed", "registration.waitlisted")


def prepare(candidates: int, seats: int, run: str) -> tuple[Event, list[str]]:
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series, kind=Event.Kind.FAIR, title=f"bench {run}", capacity=seats, status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=4),
        registration_opens_at=now - timedelta(hours=1),
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [User(email=f"bench-{run}-{i}@bench.local", name=f"压测{i}", role=User.Role.CANDIDATE, password=password)
         for i in range(candidates)]
    )
    if not users or users[0].pk is None:  # SQLite before 3.35 returns no ids
        users = list(User.objects.filter(email__startswith=f"bench-{run}-").order_by("id"))
    CandidateProfile.objects.bulk_create(
        [CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="bench",
                          discipline="0812") for u in users]
    )
    keys = login_sessions(users)
    connection.close()
    return event, keys


async def burst(url: str, event: Event, session_keys: list[str], concurrency: int) -> dict:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    path = f"/events/{event.pk}/register/"

    async with http_client(url, concurrency=concurrency) as client:

        async def one(key: str) -> None:
            nonlocal errors
            csrf = _get_new_csrf_string()
            headers = {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}",
                "Referer": f"{url}/events/{event.pk}/",
            }
            async with semaphore:
                started = time.perf_counter()
                try:
                    async with client.post(path, data={"csrfmiddlewaretoken": csrf}, headers=headers,
                                           allow_redirects=False) as response:
                        await response.read()
                        if response.status != 302:
                            errors += 1
                except Exception:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(key) for key in session_keys))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (as many as cores)")
    parser.add_argument("--http-concurrency", type=int, default=1,
                        help="HTTP_CONCURRENCY_PER_PROCESS of the server it starts (0 = unlimited)")
    parser.add_argument("--url", default="")
    parser.add_argument("--notice-timeout", type=float, default=120,
                        help="seconds to wait for the worker's last notice after the burst")
    parser.add_argument("--warmup", type=int, default=200,
                        help="registrations for another event first, not measured (0 = a cold server)")
    args = parser.parse_args()
    os.environ["HTTP_CONCURRENCY_PER_PROCESS"] = str(args.http_concurrency)

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    event, keys = prepare(args.candidates, args.seats, run)
    warm_event, warm_keys = prepare(args.warmup, args.seats, f"{run}w") if args.warmup else (None, [])
    server = worker = None
    url = args.url
    if not url:
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-{run}"
        server, url = start_server(workers=args.workers)
        worker = start_celery_worker(queue=f"bench-{run}")
    cpu_before = process_tree_cpu_s(server.pid) if server is not None else None
    notices = Notification.objects.filter(kind__in=NOTICE_KINDS, context__event_id=event.pk)
    try:
        if warm_keys:
            # Not measured: a server that has run for a while has its connections open, its
            # code imported and its caches filled; a cold one would put its start-up in the p99.
            asyncio.run(burst(url, warm_event, warm_keys, args.concurrency))
            cpu_before = process_tree_cpu_s(server.pid) if server is not None else None
        began = time.time()
        result = asyncio.run(burst(url, event, keys, args.concurrency))
        cpu_used = process_tree_cpu_s(server.pid) - cpu_before if cpu_before is not None else None
        # The work the burst caused, done by the worker: wait for the last notice (or give up).
        deadline = time.monotonic() + args.notice_timeout
        while worker is not None and notices.count() < args.candidates and time.monotonic() < deadline:
            time.sleep(0.25)
        last = notices.order_by("-created_at").values_list("created_at", flat=True).first()
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)

    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    waitlisted = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).count()
    missing = args.candidates - confirmed - waitlisted  # a request that returned 302 but saved nothing
    # Under-booking: seats left free while people were sent to the waiting list.
    underbooked = min(max(0, args.seats - confirmed), waitlisted)
    written = notices.count()
    latencies = result["latencies"]
    print(json.dumps({
        "bench": "registration_burst",
        "database": connection.vendor,
        "redis": bool(settings.REDIS_URL),
        "workers": args.workers if not args.url else None,
        "http_concurrency_per_process": args.http_concurrency if not args.url else None,
        "candidates": args.candidates,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "seats": args.seats,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "overbooked": max(0, confirmed - args.seats),
        "underbooked": underbooked,
        "notices_written": written,
        "notices_expected": args.candidates,
        # From the first request of the burst to the worker writing the last confirmation notice.
        "last_notice_after_s": round(last.timestamp() - began, 2) if last and written >= args.candidates else None,
        "errors": result["errors"] + max(0, missing),
        "registrations_per_second": round(args.candidates / result["elapsed"], 1),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "elapsed_s": round(result["elapsed"], 2),
        # CPU of the server's processes per registration: comparable between a quiet and a busy machine.
        "server_cpu_ms_per_registration": round(cpu_used * 1000 / args.candidates, 2) if cpu_used else None,
    }))


if __name__ == "__main__":
    main()
