"""The programme's figures under a year's worth of data, and how fast a door scan reaches an
open progress page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/targets.py [--workers 2] [--requests 600] [--scans 150]

Data (bulk-created in a fresh series): 40 past events with 100,000 registrations (30,000
people), 50,000 check-ins across them, 2,000 projects, 5,000 outcomes; the counters are built
with tallies_rebuild() (the nightly reconcile) and checked against a recount. Then, against
`uvicorn --workers N` in production mode: the console dashboard and the public progress page
are each requested `--requests` times (8 in flight) and their latencies measured; finally an
anonymous progress-page socket listens on programme.<series> while `--scans` door scans of new
people go through the fast lane at 10 per second, and the delay from sending each scan to the
first pushed figures that include it is measured. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import random
import secrets
import time
from datetime import timedelta

from _support import django_setup, http_client, login_sessions, ms, percentile, process_tree_cpu_s, start_server

django_setup()

import websockets  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CandidateProfile, Company, User  # noqa: E402
from checkin.keys import private_key, signing_key_current  # noqa: E402
from checkin.models import Checkin, Ticket  # noqa: E402
from checkin.services import checkin_list_default, device_create, device_pair  # noqa: E402
from events.models import Event, Registration, Series  # noqa: E402
from programme.counting import recount, tallies_read, tallies_rebuild  # noqa: E402
from programme.models import Attendance, CountedProject, Outcome, Reach, Tally  # noqa: E402
from programme.services import targets_default  # noqa: E402
from projects.models import Project  # noqa: E402

PEOPLE, EVENTS, REGISTRATIONS, CHECKINS, PROJECTS, OUTCOMES = 30_000, 40, 100_000, 50_000, 2_000, 5_000
KINDS = ["fair", "matchmaking", "forum", "training", "roadshow"]
PROVINCES = ["shandong", "beijing", "jiangsu", "shanghai", "shaanxi", "hubei", "abroad", ""]
UNITYPES = ["985", "211", "double_first", "regular", "institute", "abroad", ""]


def prepare(run: str, scans: int):
    rng = random.Random(run)
    now = timezone.now()
    series = Series.objects.create(slug=f"bench-targets-{run}", title=f"Bench targets {run}", year=2025)
    targets_default(series=series, actor=None)
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [User(email=f"bt-{run}-{i}@bench.local", name=f"压测{i}", password=password) for i in range(PEOPLE)],
        batch_size=5000,
    )
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(
                user=u,
                full_name=u.name,
                phone=f"139{i:08d}",
                institution="",
                discipline="0707",
                province=rng.choice(PROVINCES),
                university_type=rng.choice(UNITYPES),
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    events = Event.objects.bulk_create(
        [
            Event(
                series=series,
                kind=KINDS[i % len(KINDS)],
                title=f"bench event {i}",
                capacity=10_000,
                status=Event.Status.PUBLISHED,
                starts_at=now - timedelta(days=300 - 7 * i),
                ends_at=now - timedelta(days=300 - 7 * i, hours=-4),
            )
            for i in range(EVENTS)
        ]
    )
    per_event = REGISTRATIONS // EVENTS
    registrations = []
    for event in events:
        people = rng.sample(users, per_event)
        registrations += [
            Registration(event=event, user=u, status="confirmed", confirmed_at=event.starts_at) for u in people
        ]
    registrations = Registration.objects.bulk_create(registrations, batch_size=5000)
    came = [r for i, r in enumerate(registrations) if i % per_event < CHECKINS // EVENTS]
    tickets = Ticket.objects.bulk_create([Ticket(registration=r, event_id=r.event_id) for r in came], batch_size=5000)
    lists = {e.pk: checkin_list_default(event_id=e.pk) for e in events}
    starts = {e.pk: e.starts_at for e in events}
    Checkin.objects.bulk_create(
        [
            Checkin(
                ticket=t, checkin_list=lists[t.event_id], scanned_at=starts[t.event_id] + timedelta(seconds=i % 7200)
            )
            for i, t in enumerate(tickets)
        ],
        batch_size=5000,
    )
    companies = list(Company.objects.order_by("pk")[:20])
    Project.objects.bulk_create(
        [
            Project(
                series=series,
                title=f"bench project {i}",
                source=rng.choice(["challenge", "competition", "manual"]),
                company=companies[i % len(companies)] if companies else None,
                signed_on=(now - timedelta(days=rng.randint(0, 300))).date(),
            )
            for i in range(PROJECTS)
        ],
        batch_size=2000,
    )
    Outcome.objects.bulk_create(
        [
            Outcome(
                series=series,
                kind=rng.choice(["offer", "hire", "station_entry", "job", "project"]),
                candidate=users[i],
                happened_on=(now - timedelta(days=rng.randint(0, 300))).date(),
                status="confirmed",
                reported_by=users[i],
            )
            for i in range(OUTCOMES)
        ],
        batch_size=5000,
    )
    # The event under way now, with new people to scan in (each scan adds one person).
    live = Event.objects.create(
        series=series,
        kind="fair",
        title=f"bench live {run}",
        capacity=10_000,
        status=Event.Status.PUBLISHED,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=4),
    )
    newcomers = User.objects.bulk_create(
        [User(email=f"bt-{run}-new{i}@bench.local", name=f"新人{i}", password=password) for i in range(scans)]
    )
    live_regs = Registration.objects.bulk_create(
        [Registration(event=live, user=u, status="confirmed", confirmed_at=now) for u in newcomers]
    )
    live_tickets = Ticket.objects.bulk_create([Ticket(registration=r, event=live) for r in live_regs])
    checkin_list_default(event_id=live.pk)
    key = signing_key_current(live.pk)
    signer = private_key(key)
    codes = []
    for ticket in live_tickets:
        body = f"1.{key.pk}.{ticket.pk}.{live.pk}"
        codes.append(f"{body}.{base64.urlsafe_b64encode(signer.sign(body.encode())).rstrip(b'=').decode()}")
    head = User.objects.create(
        email=f"bt-{run}-head@bench.local", name="压测主办", password=password, role=User.Role.ORGANIZER
    )
    head.user_permissions.add(Permission.objects.get(codename="manage_all_events"))
    _device, pairing = device_create(actor=head, name="bench", events=[live])
    _device, token = device_pair(code=pairing)
    return series, head, codes, token


async def timed_gets(url: str, path: str, n: int, cookie: str = "", concurrency: int = 4) -> list[float]:
    latencies: list[float] = []
    headers = {"Cookie": cookie} if cookie else {}
    async with http_client(url, concurrency=concurrency, headers=headers) as client:
        paths = iter(range(n))

        async def worker():
            for _ in paths:
                started = time.perf_counter()
                async with client.get(path) as response:
                    await response.read()
                    assert response.status == 200, (path, response.status)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def listen(ws_url: str, origin: str, ready, stop, out) -> None:
    """The progress page's socket, in its own process: (arrival time, people total) per push."""

    async def main():
        seen = []
        async with websockets.connect(ws_url, additional_headers={"Origin": origin}, max_queue=None) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                payload = json.loads(raw).get("payload") or {}
                if payload.get("type") == "programme.figures":
                    seen.append((time.time(), payload["figures"]["totals"]["people"]))
        out.put(seen)

    asyncio.run(main())


async def scan_to_page(url: str, series, codes: list[str], token: str, base_people: int, rate: float) -> dict:
    ready, stop, out = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
    ws_url = url.replace("http://", "ws://") + f"/ws/live/?topics=programme.{series.pk}"
    listener = multiprocessing.Process(target=listen, args=(ws_url, url, ready, stop, out))
    listener.start()
    if not ready.wait(30):
        raise SystemExit("the progress page socket did not connect")
    sent, results = [], {}
    async with http_client(url, concurrency=4, headers={"Authorization": f"Bearer {token}"}) as client:
        for code in codes:
            began = time.time()
            async with client.post(
                "/api/checkin/scan", json={"code": code, "gate": "bench", "nonce": secrets.token_hex(16)}
            ) as response:
                result = (await response.json()).get("result")
            results[result] = results.get(result, 0) + 1
            sent.append(began)
            await asyncio.sleep(max(0.0, 1 / rate - (time.time() - began)))
    await asyncio.sleep(3)
    stop.set()
    seen = out.get(timeout=30)
    listener.join(10)
    delays = []
    for number, at in enumerate(sent, start=1):  # scan n is in the first push showing base + n people
        arrival = next((when for when, people in seen if people >= base_people + number), None)
        if arrival is not None:
            delays.append(arrival - at)
    return {
        "scans": len(sent),
        "ok": results.get("ok", 0),
        "pushes": len(seen),
        "reached_page": len(delays),
        "scan_to_page_p50_ms": ms(percentile(delays, 50)),
        "scan_to_page_p99_ms": ms(percentile(delays, 99)),
        "scan_to_page_max_ms": ms(max(delays) if delays else 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--scans", type=int, default=150)
    parser.add_argument("--rate", type=float, default=10.0, help="door scans per second")
    parser.add_argument("--concurrency", type=int, default=4, help="page requests in flight")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("needs REDIS_URL (the page's socket and the servers share Redis)")
    run = secrets.token_hex(4)
    began = time.perf_counter()
    series, head, codes, token = prepare(run, args.scans)
    prepared = time.perf_counter() - began
    began = time.perf_counter()
    tallies_rebuild()
    rebuilt = time.perf_counter() - began
    figures = tallies_read(series.pk)
    equal = figures == recount(series.pk)
    # Bulk loads and the rebuild leave dead rows and stale statistics; without this, autovacuum
    # starts on them in the middle of the timed requests and each further run measures it.
    with connection.cursor() as cursor:
        for model in (Registration, Ticket, Checkin, Project, Outcome, Tally, Attendance, Reach, CountedProject):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    cookie = f"sessionid={login_sessions([head])[0]}"
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={cookie.split('=', 1)[1]}"
    import subprocess
    import sys

    from _support import ROOT

    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
    )
    server, url = start_server(workers=args.workers)
    try:
        asyncio.run(timed_gets(url, f"/programme/{series.slug}/", 20))  # warm up both workers
        cpu = {}
        results = {}
        for name, path, who in (
            ("console", f"/console/programme/{series.pk}/", cookie),
            ("public", f"/programme/{series.slug}/", ""),
            ("snapshot", f"/programme/{series.slug}/figures.json", ""),
        ):
            before = process_tree_cpu_s(server.pid)
            results[name] = asyncio.run(timed_gets(url, path, args.requests, who, args.concurrency))
            cpu[name] = round(1000 * (process_tree_cpu_s(server.pid) - before) / args.requests, 1)
        console, public, snapshot = results["console"], results["public"], results["snapshot"]
        live = asyncio.run(scan_to_page(url, series, codes, token, figures[("people", "")], args.rate))
    finally:
        server.terminate()
        server.wait(20)
    print(
        json.dumps(
            {
                "registrations": Registration.objects.filter(event__series=series).count(),
                "checkins": Checkin.objects.filter(ticket__event__series=series).count(),
                "people": figures[("people", "")],
                "projects": figures[("projects", "")],
                "outcomes": Outcome.objects.filter(series=series).count(),
                "prepare_s": round(prepared, 1),
                "rebuild_s": round(rebuilt, 2),
                "counters_equal_recount": equal,
                "console_p50_ms": ms(percentile(console, 50)),
                "console_p99_ms": ms(percentile(console, 99)),
                "public_page_p50_ms": ms(percentile(public, 50)),
                "public_page_p99_ms": ms(percentile(public, 99)),
                "public_json_p50_ms": ms(percentile(snapshot, 50)),
                "public_json_p99_ms": ms(percentile(snapshot, 99)),
                "server_cpu_ms_per_request": cpu,
                "concurrency": args.concurrency,
                "load_average_1m": round(os.getloadavg()[0], 1),
                **live,
                "workers": args.workers,
                "requests_each": args.requests,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
