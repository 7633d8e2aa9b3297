"""Registration burst: N candidates register at once for an event with limited seats.

Run against a production-like server (PostgreSQL, Redis, several uvicorn workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/registration_burst.py [--candidates 1000,10000] [--concurrency 50] \
        [--seats 100] [--workers 2] [--front uvicorn|nginx] [--profile] [--http-concurrency 1] \
        [--floor] [--lane on|off] [--url http://host:port]

Without --url it starts `uvicorn --workers N` itself (or, with `--front nginx`, N one-worker
uvicorns behind an nginx it configures). For each size in --candidates, an event and its
candidates with their sessions are created directly in the database first (bulk, with one
shared password hash); then `--warmup` other candidates register for another event (not
measured: the server's start-up is not part of a burst), then each size's candidates POST the
real registration form, one size after another on the same server. Prints one JSON line: per
size the latencies, registrations/s, oversold, the server's CPU per registration, how the
work and the connections spread over the workers, the seat count's time inside the event
lock at that size (and the full recount it replaced, for comparison), and with --profile
where the workers' CPU went (py-spy, bench/_profile.py); plus the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import _profile
from _support import (
    django_setup,
    free_port,
    http_client,
    login_sessions,
    ms,
    percentile,
    process_tree_cpu_s,
    start_celery_worker,
    start_server,
    worker_pids,
)

django_setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
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
        series=series,
        kind=Event.Kind.FAIR,
        title=f"bench {run}",
        capacity=seats,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        registration_opens_at=now - timedelta(hours=1),
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{run}-{i}@bench.local", name=f"压测{i}", role=User.Role.CANDIDATE, password=password)
            for i in range(candidates)
        ]
    )
    if not users or users[0].pk is None:  # SQLite before 3.35 returns no ids
        users = list(User.objects.filter(email__startswith=f"bench-{run}-").order_by("id"))
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="bench", discipline="0812")
            for u in users
        ]
    )
    keys = login_sessions(users)
    connection.close()
    return event, keys


async def burst(
    url: str, event: Event, session_keys: list[str], concurrency: int, on_done=None, *, method: str = "POST"
) -> dict:
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
                    async with client.request(
                        method,
                        path,
                        data={"csrfmiddlewaretoken": csrf} if method == "POST" else None,
                        headers=headers,
                        allow_redirects=False,
                    ) as response:
                        await response.read()
                        if response.status != 302:
                            errors += 1
                except Exception:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(key) for key in session_keys))
        elapsed = time.perf_counter() - started
        held = on_done() if on_done else None  # while the client's keep-alive connections are open
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed, "connections": held}


def connections_per_worker(pids: list[int], ports: set[int]) -> list[int]:
    """HTTP connections each worker process holds: its socket fds that are ESTABLISHED in
    /proc/net/tcp on a server port (not its PostgreSQL or Redis connections), i.e. how the
    client's (or nginx's) keep-alive connections were spread over the workers."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) in ports:  # ESTABLISHED, server side
                established.add(fields[9])  # inode
    counts = []
    for pid in pids:
        n = 0
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in established:
                    n += 1
        except OSError:
            pass
        counts.append(n)
    return counts


def seat_count_timing(event: Event, user: User, reps: int = 200) -> dict:
    """What the locked section spends on the seat count at this event's size, timed here the
    way the server runs it (same functions, same database), and the full recount it replaced."""
    from events.services.registration import _lock_event, _seat_counts, seats_recount

    counted, recounted = [], []
    with transaction.atomic():
        locked = _lock_event(event.pk)
        for _ in range(reps):
            started = time.perf_counter()
            _seat_counts(locked, user)
            counted.append(time.perf_counter() - started)
        for _ in range(20):
            started = time.perf_counter()
            seats_recount(locked)
            recounted.append(time.perf_counter() - started)
        transaction.set_rollback(True)  # the version bump of the measurement is not kept
    return {
        "seat_count_ms_in_lock_p50": round(percentile(counted, 50) * 1000, 3),
        "seat_count_ms_in_lock_p99": round(percentile(counted, 99) * 1000, 3),
        "recount_ms_p50_for_comparison": round(percentile(recounted, 50) * 1000, 3),
    }


def worker_cpu(pids: list[int]) -> list[float]:
    return [process_tree_cpu_s(pid) or 0.0 for pid in pids]


def start_front(args) -> tuple[list, list[int], str]:
    """The server(s) and the pids whose CPU is the server's: `uvicorn --workers N` (one socket
    shared by the workers: the kernel hands each new connection to one of them), or with
    `--front nginx` N single-worker uvicorns behind nginx (upstream keep-alive, least_conn:
    nginx picks a worker per request)."""
    if args.front == "uvicorn":
        server, url = start_server(workers=args.workers)
        time.sleep(0.5)
        args.server_ports = {int(url.rsplit(":", 1)[1])}
        return [server], worker_pids(server.pid), url
    servers, ports = [], []
    for _ in range(args.workers):
        server, url = start_server(workers=1)
        servers.append(server)
        ports.append(int(url.rsplit(":", 1)[1]))
    args.server_ports = set(ports)
    nginx, url = start_nginx(ports)
    return [*servers, nginx], [s.pid for s in servers], url


NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    upstream boju_app {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://boju_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


def start_nginx(ports: list[int]) -> tuple[subprocess.Popen, str]:
    prefix = tempfile.mkdtemp(prefix="boju-bench-nginx-")
    port = free_port()
    conf = Path(prefix) / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(prefix=prefix, port=port, servers="\n".join(f"        server 127.0.0.1:{p};" for p in ports))
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-p", prefix, "-c", str(conf), "-g", "daemon off;"])
    time.sleep(0.5)
    return process, f"http://127.0.0.1:{port}"


def one_size(url: str, args, size: int, event: Event, keys: list[str], pids: list[int], worker, profile: bool) -> dict:
    notices = Notification.objects.filter(kind__in=NOTICE_KINDS, context__event_id=event.pk)
    load_before = os.getloadavg()[0]
    before = worker_cpu(pids)
    handle = _profile.start_many(pids) if profile else None
    began = time.time()
    result = asyncio.run(
        burst(url, event, keys, args.concurrency, on_done=lambda: connections_per_worker(pids, args.server_ports))
    )
    split = _profile.stop_many(handle) if profile else None
    used = [after - b for after, b in zip(worker_cpu(pids), before)]
    load_after = os.getloadavg()[0]
    deadline = time.monotonic() + args.notice_timeout
    while worker is not None and notices.count() < size and time.monotonic() < deadline:
        time.sleep(0.25)
    last = notices.order_by("-created_at").values_list("created_at", flat=True).first()
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    waitlisted = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).count()
    event.refresh_from_db()
    missing = size - confirmed - waitlisted  # a request that returned 302 but saved nothing
    written = notices.count()
    latencies = result["latencies"]
    total_cpu = sum(used)
    any_user = User.objects.filter(email__startswith=f"bench-{args.run}-{size}-").first()
    return {
        "candidates": size,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "oversold": max(0, confirmed - args.seats),
        # Under-booking: seats left free while people were sent to the waiting list.
        "underbooked": min(max(0, args.seats - confirmed), waitlisted),
        "counters_match_recount": [event.seats_confirmed, event.seats_waitlisted] == [confirmed, waitlisted],
        "errors": result["errors"] + max(0, missing),
        "registrations_per_second": round(size / result["elapsed"], 1),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "elapsed_s": round(result["elapsed"], 2),
        # CPU of the server's processes per registration: comparable between a quiet and a busy machine.
        "server_cpu_ms_per_registration": round(total_cpu * 1000 / size, 2),
        # How the burst's work spread over the workers (1/N each when balanced).
        "worker_cpu_shares": [round(u / total_cpu, 3) if total_cpu else None for u in used],
        # Established connections per worker at the end of the burst (client's and, for the one
        # holding them, PostgreSQL's and Redis's): the spread of the client's keep-alive connections.
        "worker_connections": result["connections"],
        **seat_count_timing(event, any_user),
        "notices_written": written,
        # From the first request of the burst to the worker writing the last confirmation notice.
        "last_notice_after_s": round(last.timestamp() - began, 2) if last and written >= size else None,
        "profile": split,
        "loadavg_1m_before_after": [round(load_before, 2), round(load_after, 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--candidates",
        default="1000,10000",
        help="comma-separated burst sizes, each a new event, run one after another on one server",
    )
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (as many as cores)")
    parser.add_argument(
        "--front",
        choices=["uvicorn", "nginx"],
        default="uvicorn",
        help="uvicorn --workers N, or N one-worker uvicorns behind nginx (per-request balancing)",
    )
    parser.add_argument(
        "--http-concurrency",
        type=int,
        default=1,
        help="HTTP_CONCURRENCY_PER_PROCESS of the server it starts (0 = unlimited)",
    )
    parser.add_argument(
        "--lane",
        choices=["on", "off"],
        default="on",
        help="the registration fast lane (events/fastlane.py) of the server it starts; off: Django answers",
    )
    parser.add_argument("--url", default="")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the workers with py-spy during each burst and print where the CPU went",
    )
    parser.add_argument(
        "--notice-timeout", type=float, default=120, help="seconds to wait for the worker's last notice after a burst"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time GETs of the form's URL by the warm-up's candidates (sign-in check and a "
        "redirect, nothing written): the CPU of the lightest signed-in Django request, for comparison",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=200,
        help="registrations for another event first, not measured (0 = a cold server)",
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.candidates.split(",") if n.strip()]
    args.server_ports = set()
    os.environ["HTTP_CONCURRENCY_PER_PROCESS"] = str(args.http_concurrency)
    os.environ["REGISTRATION_FAST_LANE"] = "1" if args.lane == "on" else "0"

    args.run = run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    prepared = [(size, *prepare(size, args.seats, f"{run}-{size}")) for size in sizes]
    warm_event, warm_keys = prepare(args.warmup, args.seats, f"{run}w") if args.warmup else (None, [])
    processes, pids, worker = [], [], None
    url = args.url
    if not url:
        os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-{run}"
        processes, pids, url = start_front(args)
        worker = start_celery_worker(queue=f"bench-{run}")
    results, floor = [], None
    try:
        if warm_keys:
            # Not measured: a server that has run for a while has its connections open, its
            # code imported and its caches filled; a cold one would put its start-up in the p99.
            asyncio.run(burst(url, warm_event, warm_keys, args.concurrency))
        for size, event, keys in prepared:
            results.append(one_size(url, args, size, event, keys, pids, worker, args.profile))
            time.sleep(2)  # the worker's notices of this burst are written; the next starts clean
        if args.floor and warm_keys:
            before = worker_cpu(pids)
            done = asyncio.run(burst(url, warm_event, warm_keys * 5, args.concurrency, method="GET"))
            used = sum(worker_cpu(pids)) - sum(before)
            floor = {
                "requests": len(warm_keys) * 5,
                "errors": done["errors"],
                "server_cpu_ms_per_request": round(used * 1000 / (len(warm_keys) * 5), 2),
                "p99_ms": ms(percentile(done["latencies"], 99)),
            }
    finally:
        for process in [*reversed(processes), worker]:
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:  # a worker stuck in shutdown must not lose the figures
                    process.kill()
                    process.wait(timeout=30)

    p99 = {r["candidates"]: r["p99_ms"] for r in results}
    print(
        json.dumps(
            {
                "bench": "registration_burst",
                "database": connection.vendor,
                "redis": bool(settings.REDIS_URL),
                "front": args.front if not args.url else None,
                "workers": args.workers if not args.url else None,
                "http_concurrency_per_process": args.http_concurrency if not args.url else None,
                "registration_fast_lane": args.lane if not args.url else None,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "seats": args.seats,
                # p99 of the largest burst over the smallest: 1.0 when the cost does not grow with the event.
                "p99_ratio_largest_to_smallest": round(p99[max(p99)] / p99[min(p99)], 2)
                if len(p99) > 1 and p99[min(p99)]
                else None,
                "runs": results,
                # --floor: the same server answering only the sign-in check and a redirect.
                "floor": floor,
                "uptime_loadavg": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
