"""Booth map under load: 50 readers of the map page and its data while companies book booths,
and 200 open maps (WebSockets) timed from the booking to its arrival on every map.

Run against a production-like server (PostgreSQL, Redis, several uvicorn workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/booth_map.py [--booths 300] [--readers 50] [--sockets 200] \
        [--bookings 60] [--workers 2] [--think 0.5] [--url http://host:port]

Without --url it starts `uvicorn --workers N` itself. A fair with `--booths` booths and as many
verified companies (each with a signed-in member) is created directly in the database; then, at
the same time: the readers fetch /fairs/<id>/map/ and /fairs/<id>/map.json in turn (waiting
--think seconds between two requests, as a person looking at the map would), the sockets
listen on `fair.<id>`, and companies book free booths one after another through the real form.
Booking latency to a map = arrival of that booth's push on a socket − the moment the booking
POST was sent. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import _profile
from _support import (
    ROOT,
    django_setup,
    http_client,
    login_sessions,
    ms,
    percentile,
    process_tree_cpu_s,
    start_server,
    worker_pids,
)

# The map page links static files: a production server needs them collected (manifest storage).
os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="boju-bench-static-"))
django_setup()

import websockets  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Company, CompanyMembership, User  # noqa: E402
from events.models import Event, Series  # noqa: E402
from fairs.models import Booth, BoothBooking, Fair, Hall  # noqa: E402

PER_ROW = 20
NEAR_BOOKING_S = 0.05  # a booking's request, commit and push take about this long


def prepare(n: int, run: str) -> tuple[Fair, list[int], list[str]]:
    """A fair of `n` 2×2 booths and `n` verified companies; returns booth ids and session keys."""
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FAIR,
        title=f"bench map {run}",
        capacity=1000,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
    )
    fair = Fair.objects.create(event=event, approval_required=False, booths_per_company=1)
    rows = (n + PER_ROW - 1) // PER_ROW
    hall = Hall.objects.create(fair=fair, name="A 馆", columns=PER_ROW * 3, rows=rows * 3)
    Booth.objects.bulk_create(
        [
            Booth(hall=hall, code=f"A-{i + 1:03d}", x=i % PER_ROW * 3, y=i // PER_ROW * 3, width=2, height=2)
            for i in range(n)
        ]
    )
    booth_ids = list(Booth.objects.filter(hall=hall).order_by("id").values_list("id", flat=True))
    Company.objects.bulk_create(
        [
            Company(
                name=f"压测单位{run[-6:]}-{i}",
                credit_code=f"B{run[-9:]}{i:08d}"[:18],
                industry="ai",
                status=Company.Status.VERIFIED,
                verified_at=now,
            )
            for i in range(n)
        ]
    )
    companies = list(Company.objects.filter(name__startswith=f"压测单位{run[-6:]}-").order_by("id"))
    password = make_password("bench-password")
    User.objects.bulk_create(
        [
            User(email=f"bench-map-{run}-{i}@bench.local", name=f"单位{i}", role=User.Role.COMPANY, password=password)
            for i in range(n)
        ]
    )
    users = list(User.objects.filter(email__startswith=f"bench-map-{run}-").order_by("id"))
    CompanyMembership.objects.bulk_create(
        [CompanyMembership(company=c, user=u, role=CompanyMembership.Role.ADMIN) for c, u in zip(companies, users)]
    )
    keys = login_sessions(users)
    connection.close()
    return fair, booth_ids, keys


def cpu_now(server_pid: int | None) -> tuple[float | None, float]:
    """(CPU seconds of the server's process tree, of this load generator): figures that other
    load on the machine disturbs far less than latencies, to compare a noisy run with a quiet one."""
    return (process_tree_cpu_s(server_pid) if server_pid else None), time.process_time()


async def run(
    url: str,
    fair: Fair,
    booth_ids: list[int],
    keys: list[str],
    *,
    readers: int,
    sockets: int,
    bookings: int,
    think: float,
    server_pid: int | None = None,
    profile: bool = False,
    sockets_in: str = "loop",
) -> dict:
    ws_url = url.replace("http://", "ws://") + f"/ws/live/?topics=fair.{fair.pk}"
    sent_at: dict[int, float] = {}  # booth id -> when its booking POST was sent
    arrivals: list[float] = []
    # booth id -> latencies of its push, one per socket: the first arrival says how long the
    # booking and the layer took, the spread after it how long the fan-out to 200 maps took.
    per_booth: dict[int, list[float]] = {}
    answered: list[float] = []  # booking POST to its response
    # (seconds since the last booking was sent, latency) of every counted page and data read:
    # do slow reads follow a booking (its commit retires every process's map and page)?
    after_booking: list[tuple[float, float]] = []
    last_booking = [0.0]
    connected = 0
    stop = asyncio.Event()  # readers stop
    stop_listening = asyncio.Event()  # sockets stop, once the last pushes had time to arrive
    measuring = asyncio.Event()  # set once the readers are warm and the bookings start

    async def listen(ready: asyncio.Event, index: int) -> None:
        nonlocal connected
        await asyncio.sleep(index * 0.01)  # maps are opened over two seconds, not in one instant
        async with websockets.connect(ws_url, additional_headers={"Origin": url}, max_queue=None) as socket:
            json.loads(await socket.recv())  # hello: subscribed
            connected += 1
            if connected == sockets:
                ready.set()
            while not stop_listening.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                payload = json.loads(raw).get("payload") or {}
                booth = (payload.get("booth") or {}).get("id")
                if payload.get("type") == "fair.booth" and booth in sent_at:
                    arrivals.append(now - sent_at[booth])
                    per_booth.setdefault(booth, []).append(now - sent_at[booth])

    page_latencies: list[float] = []
    data_latencies: list[float] = []
    errors = 0
    # aiohttp, not httpx: the load generator shares the two cores with the server it measures.
    async with http_client(url, concurrency=readers + 4) as client:

        async def read(index: int) -> None:
            nonlocal errors
            turn = 0
            # Readers arrive spread over one think interval, as people do (not all in one instant).
            await asyncio.sleep((think or 0.5) * index / readers)
            while not stop.is_set():
                path, bucket = (
                    (f"/fairs/{fair.pk}/map/", page_latencies)
                    if turn % 2 == 0
                    else (f"/fairs/{fair.pk}/map.json", data_latencies)
                )
                turn += 1
                counted = measuring.is_set()
                started = time.perf_counter()
                try:
                    async with client.get(path) as response:
                        await response.read()  # the whole body, as a browser needs it
                        if response.status != 200:
                            errors += 1
                except Exception:
                    errors += 1
                if counted and not stop.is_set():  # only requests made while bookings happen
                    bucket.append(time.perf_counter() - started)
                    after_booking.append((started - last_booking[0], bucket[-1]))
                if think:
                    await asyncio.sleep(think)

        async def book() -> int:
            nonlocal errors
            done = 0
            for booth_id, key in zip(booth_ids[:bookings], keys):
                csrf = _get_new_csrf_string()
                headers = {
                    "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}",
                    "Referer": f"{url}/fairs/{fair.pk}/map/",
                }
                sent_at[booth_id] = last_booking[0] = time.perf_counter()
                try:
                    async with client.post(
                        f"/fairs/{fair.pk}/booths/{booth_id}/book/",
                        data={"csrfmiddlewaretoken": csrf},
                        headers=headers,
                        allow_redirects=False,
                    ) as response:
                        await response.read()
                        answered.append(time.perf_counter() - sent_at[booth_id])
                        if response.status != 302:
                            errors += 1
                except Exception:
                    errors += 1
                done += 1
                await asyncio.sleep(0.1)
            return done

        ready = asyncio.Event()
        maps = None
        if sockets_in == "process":  # bench/_map_sockets.py says why
            listeners = []
            maps = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "bench" / "_map_sockets.py"),
                ws_url,
                url,
                str(sockets),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                limit=2**26,  # its last line lists every arrival
            )
            line = await asyncio.wait_for(maps.stdout.readline(), timeout=150)
            if line.strip() != b"ready":
                raise SystemExit(f"the map sockets did not open: {line!r}")
        else:
            listeners = [asyncio.create_task(listen(ready, i)) for i in range(sockets)]
            await asyncio.wait_for(ready.wait(), timeout=120)
        reader_tasks = [asyncio.create_task(read(i)) for i in range(readers)]
        await asyncio.sleep(2.0)  # readers warm up (each worker's first requests) before the first booking
        measuring.set()
        sampling = _profile.start_many(worker_pids(server_pid)) if profile and server_pid else None
        started = time.perf_counter()
        cpu_before = cpu_now(server_pid)
        maps_cpu = process_tree_cpu_s(maps.pid) if maps is not None else None
        attempts = await book()
        elapsed = time.perf_counter() - started
        stop.set()  # the readers' figures cover exactly the booking phase
        cpu_after = cpu_now(server_pid)
        if maps is not None and maps_cpu is not None:
            maps_cpu = (process_tree_cpu_s(maps.pid) or 0.0) - maps_cpu
        split = await asyncio.to_thread(_profile.stop_many, sampling) if sampling else None
        # A refused attempt answers 302 too (with a message): successes come from the database,
        # and only they are pushed to the maps.
        booked = await sync_to_async(
            lambda: BoothBooking.objects.filter(
                fair=fair, booth_id__in=booth_ids[:attempts], status__in=("approved", "requested")
            ).count()
        )()
        if maps is not None:
            maps.stdin.write(f"expect {booked * sockets}\n".encode())
            await maps.stdin.drain()
            for booth, when in json.loads(await asyncio.wait_for(maps.stdout.readline(), timeout=60)):
                if booth in sent_at:
                    arrivals.append(when - sent_at[booth])
                    per_booth.setdefault(booth, []).append(when - sent_at[booth])
            await maps.wait()
        deadline = time.perf_counter() + 15  # the last pushes arrive (a lost one never does)
        while len(arrivals) < booked * sockets and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        stop_listening.set()
        await asyncio.gather(*reader_tasks, *listeners, return_exceptions=True)
    server_cpu = cpu_after[0] - cpu_before[0] if server_pid and cpu_before[0] is not None else None
    return {
        "page": page_latencies,
        "data": data_latencies,
        "arrivals": arrivals,
        "booking": answered,
        "reads_near_booking": [latency for since, latency in after_booking if since < NEAR_BOOKING_S],
        "reads_apart": [latency for since, latency in after_booking if since >= NEAR_BOOKING_S],
        "first": [min(v) for v in per_booth.values()],
        "spread": [max(v) - min(v) for v in per_booth.values()],
        "errors": errors,
        "attempts": attempts,
        "booked": booked,
        "elapsed": elapsed,
        "server_cpu": server_cpu,
        "bench_cpu": cpu_after[1] - cpu_before[1],
        "sockets_cpu": maps_cpu,
        "profile": split,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--booths", type=int, default=300)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)  # one per core of the 2-core target machine
    parser.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="seconds a reader waits between two requests (0: back to back, a saturation test)",
    )
    parser.add_argument("--url", default="")
    parser.add_argument("--server-pid", type=int, default=0, help="with --url: the server's pid, for its CPU figure")
    parser.add_argument(
        "--sockets-in",
        choices=("loop", "process"),
        default="loop",
        help="the open maps in the readers' event loop (as in every documented run), or in a process of their own "
        "(bench/_map_sockets.py)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the workers during the booking phase (bench/_profile.py)"
    )
    args = parser.parse_args()

    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    fair, booth_ids, keys = prepare(args.booths, stamp)
    server = None
    url = args.url
    if not url:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
        )
        server, url = start_server(workers=args.workers)
    try:
        result = asyncio.run(
            run(
                url,
                fair,
                booth_ids,
                keys,
                readers=args.readers,
                sockets=args.sockets,
                bookings=args.bookings,
                think=args.think,
                server_pid=server.pid if server is not None else args.server_pid or None,
                profile=args.profile,
                sockets_in=args.sockets_in,
            )
        )
        report(args, fair, result)
    finally:
        if server is not None:
            stop_server(server)


def stop_server(server) -> None:
    """SIGTERM, then make sure: a worker still draining sockets is killed by its parent's id."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-9", "-P", str(server.pid)], check=False)
        server.kill()
        server.wait(timeout=15)


def report(args, fair: Fair, result: dict) -> None:
    expected = result["booked"] * args.sockets
    print(
        json.dumps(
            {
                "bench": "booth_map",
                "database": connection.vendor,
                "redis": bool(settings.REDIS_URL),
                "workers": args.workers if not args.url else None,
                "booths": args.booths,
                "companies": args.booths,
                "readers": args.readers,
                "think_s": args.think,
                "sockets": args.sockets,
                "sockets_in": args.sockets_in,
                "booking_attempts": result["attempts"],
                "booking_successes": result["booked"],
                "booked_in_db": BoothBooking.objects.filter(fair=fair, status="approved").count(),
                "errors": result["errors"],
                "map_page_requests": len(result["page"]),
                "map_page_p50_ms": ms(percentile(result["page"], 50)),
                "map_page_p99_ms": ms(percentile(result["page"], 99)),
                "map_data_requests": len(result["data"]),
                "map_data_p50_ms": ms(percentile(result["data"], 50)),
                "map_data_p99_ms": ms(percentile(result["data"], 99)),
                "push_deliveries": len(result["arrivals"]),
                "push_expected": expected,
                "push_p50_ms": ms(percentile(result["arrivals"], 50)),
                "push_p99_ms": ms(percentile(result["arrivals"], 99)),
                # Where a push's time goes: the booking's own answer, the first map reached,
                # and the spread from the first map to the last (the fan-out itself).
                "booking_p50_ms": ms(percentile(result["booking"], 50)),
                "booking_p99_ms": ms(percentile(result["booking"], 99)),
                "push_first_p50_ms": ms(percentile(result["first"], 50)),
                "push_first_p99_ms": ms(percentile(result["first"], 99)),
                "push_spread_p50_ms": ms(percentile(result["spread"], 50)),
                "push_spread_p99_ms": ms(percentile(result["spread"], 99)),
                # Page and data reads that started within NEAR_BOOKING_S of a booking being sent, and the rest.
                "reads_near_booking": len(result["reads_near_booking"]),
                "reads_near_booking_p99_ms": ms(percentile(result["reads_near_booking"], 99)),
                "reads_apart_p99_ms": ms(percentile(result["reads_apart"], 99)),
                "elapsed_s": round(result["elapsed"], 2),
                # CPU used during the booking phase: by the server's processes, and by this load generator
                # (same two cores); os.getloadavg() shows what else ran on the machine meanwhile.
                "server_cpu_s": round(result["server_cpu"], 2) if result["server_cpu"] is not None else None,
                "bench_cpu_s": round(result["bench_cpu"], 2),
                # the open maps' process (--sockets-in process), a part of the load generator too
                "sockets_cpu_s": round(result["sockets_cpu"], 2) if result["sockets_cpu"] is not None else None,
                "loadavg_1m": round(os.getloadavg()[0], 2),
                **({"profile": result["profile"]} if args.profile else {}),
            }
        )
    )


if __name__ == "__main__":
    main()
