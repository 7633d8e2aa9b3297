"""Door scans and registrations through nginx, against one app host and then two.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/cluster.py [--tickets 2000] [--candidates 600] [--workers 1]

Needs root: each app host is a Linux network namespace running uvicorn (`--workers` processes)
and a Celery worker, behind the nginx site of deploy/ (tests/operations/cluster.py builds it;
the same harness as tests/operations/test_cluster.py). For one host, then two, the bench runs
bench/checkin.py's door scans (distinct tickets, then re-scans and forgeries, with a dashboard
socket listening) and bench/registration_burst.py's burst, both through nginx, and checks the
database afterwards (every "ok" stored once, nobody oversold). It also measures what the proxy
adds: the same small request (GET /healthz) sent straight to an app host and through nginx.

Prints one JSON line: both runs' figures, the two-to-one ratios, and the proxy's added latency
(p50/p99). This machine has 2 cores shared by the app hosts, nginx, PostgreSQL, Redis and the
load generator: a second host adds processes, not cores, so the ratio shows the overhead of
the extra hop and that everything stays correct across hosts, not a speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from _support import ROOT, django_setup, ms, percentile

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from events.models import Registration  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.operations.cluster import Cluster, available  # noqa: E402


def _bench_module(name: str):
    # bench/checkin.py shares its name with the checkin app: load it by path.
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scans = _bench_module("checkin")
burst = _bench_module("registration_burst")


def app_env(queue: str) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "DATABASE_POOL_MAX": "10",
        "HTTP_CONCURRENCY_PER_PROCESS": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "boju"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


async def _latencies(direct_url: str, proxy_url: str, count: int) -> tuple[list[float], list[float]]:
    """The same request straight to an app host and through nginx, alternating, one at a time
    (so both see the same moments of the machine's other load)."""
    from _support import http_client

    direct, proxied = [], []
    async with http_client(direct_url, concurrency=1) as straight, http_client(proxy_url, concurrency=1) as nginx:
        for _ in range(count):
            for client, out in ((straight, direct), (nginx, proxied)):
                started = time.perf_counter()
                async with client.get("/healthz") as response:
                    await response.read()
                out.append(time.perf_counter() - started)
    return direct, proxied


def one_size(hosts: int, args, run: str) -> dict:
    queue = f"bench-cluster-{run}-{hosts}"
    event, organizer, codes, token = scans.prepare(args.tickets, f"{run}{hosts}")
    cookie = scans.session_cookie(organizer)
    reg_event, keys = burst.prepare(args.candidates, args.seats, f"{run}{hosts}")
    warm_event, warm_keys = burst.prepare(100, 100, f"{run}{hosts}w")
    connection.close()
    with tempfile.TemporaryDirectory() as folder:
        cluster = Cluster(
            env=app_env(queue),
            hosts=hosts,
            workers=args.workers,
            folder=Path(folder),
            database_socket=args.database_socket,
        ).start()
        try:
            asyncio.run(burst.burst(cluster.url, warm_event, warm_keys, 20))  # warm every process
            door = asyncio.run(scans.run(cluster.url, event.pk, codes, token, cookie, args.concurrency))
            door.update(scans.verify_in_database(event, len(codes), door))
            result = asyncio.run(burst.burst(cluster.url, reg_event, keys, args.reg_concurrency))
            direct, proxied = asyncio.run(_latencies(f"http://{cluster.hosts[0].upstream}", cluster.url, args.probe))
        finally:
            cluster.stop()
    confirmed = Registration.objects.filter(event=reg_event, status="confirmed").count()
    stored = Registration.objects.filter(event=reg_event).count()
    return {
        "hosts": hosts,
        "scans_per_second": door["scans_per_second"],
        "scan_p50_ms": door["p50_ms"],
        "scan_p99_ms": door["p99_ms"],
        "scan_errors": door["errors"],
        "scan_to_dashboard_p99_ms": door["scan_to_dashboard_p99_ms"],
        "scans_db_matches_replies": door["db_matches_replies"],
        "registrations_per_second": round(args.candidates / result["elapsed"], 1),
        "registration_p50_ms": ms(percentile(result["latencies"], 50)),
        "registration_p99_ms": ms(percentile(result["latencies"], 99)),
        "registration_errors": result["errors"] + (args.candidates - stored),
        "overbooked": max(0, confirmed - args.seats),
        "healthz_direct_p50_ms": ms(percentile(direct, 50)),
        "healthz_direct_p99_ms": ms(percentile(direct, 99)),
        "healthz_nginx_p50_ms": ms(percentile(proxied, 50)),
        "healthz_nginx_p99_ms": ms(percentile(proxied, 99)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16, help="scans in flight")
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--reg-concurrency", type=int, default=50, help="registrations in flight")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes per app host")
    parser.add_argument("--probe", type=int, default=400, help="requests to measure the proxy's latency")
    parser.add_argument(
        "--database-socket",
        default="",
        help="reach PostgreSQL through this Unix socket folder (/var/run/postgresql) instead "
        "of the socat relay, whose extra process per query costs CPU on 2 shared cores",
    )
    args = parser.parse_args()
    if available():
        raise SystemExit(f"bench/cluster.py {available()}")
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        raise SystemExit("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    run = secrets.token_hex(3)
    load_before = os.getloadavg()[0]
    one = one_size(1, args, run)
    two = one_size(2, args, run)
    # Through nginx minus straight to the app, averaged over both runs (may be noise-negative).
    added = {
        q: round(
            (
                one[f"healthz_nginx_{q}_ms"]
                - one[f"healthz_direct_{q}_ms"]
                + two[f"healthz_nginx_{q}_ms"]
                - two[f"healthz_direct_{q}_ms"]
            )
            / 2,
            2,
        )
        for q in ("p50", "p99")
    }
    print(
        json.dumps(
            {
                "bench": "cluster",
                "tickets": args.tickets,
                "candidates": args.candidates,
                "seats": args.seats,
                "workers_per_host": args.workers,
                "cores": os.cpu_count(),
                "database_path": "unix socket" if args.database_socket else "socat relay",
                "one_host": one,
                "two_hosts": two,
                "ratio_scans": round(two["scans_per_second"] / one["scans_per_second"], 2),
                "ratio_registrations": round(two["registrations_per_second"] / one["registrations_per_second"], 2),
                "proxy_added_p50_ms": added["p50"],
                "proxy_added_p99_ms": added["p99"],
                "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
