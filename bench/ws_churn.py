"""WebSocket churn: do a worker's memory and its Redis connections stay bounded when thousands of
live pages open and close?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/ws_churn.py [--sockets 1000] [--rounds 3] [--workers 2]

Starts `uvicorn --workers N` in production mode. Each round opens `--sockets` anonymous sockets
on a published event's public topic exactly as the event page does (100 handshakes in flight),
waits for every hello, then drops them all at once (the client vanishes: no close handshake,
as when a phone loses its network). Three seconds after each round it reads every worker's
resident memory (/proc/<pid>/status VmRSS) and the number of clients Redis sees. A leak grows
with every round; a bounded cost appears in round 1 (the allocator keeps what it once used)
and stays flat after. Prints one JSON line; the bench event is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from _support import django_setup, start_server

django_setup()

import redis  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from events.models import Event, Series  # noqa: E402


def workers_of(server: subprocess.Popen) -> list[int]:
    """uvicorn's worker processes (multiprocessing's resource tracker, which serves nothing, left out)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def redis_clients(client) -> int:
    """Clients on this bench's Redis database (others may share the server)."""
    db = client.connection_pool.connection_kwargs.get("db", 0)
    return sum(1 for c in client.client_list() if int(c.get("db", -1)) == db and c.get("cmd") != "client|list")


def open_connections(url: str) -> int:
    """TCP connections the server still holds on its port (a dropped socket must not linger)."""
    port = url.rsplit(":", 1)[1]
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    ).stdout
    return len([line for line in out.splitlines() if line.strip()])


async def churn(url: str, event_id: int, count: int) -> int:
    gate = asyncio.Semaphore(100)
    ws_url = url.replace("http://", "ws://") + f"/ws/live/?topics=event.{event_id}.public"

    async def one():
        async with gate:
            socket = await websockets.connect(
                ws_url, additional_headers={"Origin": url}, open_timeout=60, ping_interval=None
            )
            hello = json.loads(await socket.recv())
            assert hello["type"] == "hello", hello
            return socket

    sockets = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    opened = [s for s in sockets if not isinstance(s, BaseException)]
    for socket in opened:  # dropped, not closed: the TCP connection is cut without a close frame
        socket.transport.abort()
    return len(opened)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not settings.REDIS_URL:
        raise SystemExit("needs REDIS_URL: the churn is about the channel layer's Redis connections")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 2 * args.sockets + 256)), hard))
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FORUM,
        title="ws churn",
        capacity=10,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=3),
    )
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    server, url = start_server(workers=args.workers)
    try:
        pids = workers_of(server)
        asyncio.run(churn(url, event.pk, 50))  # warm-up: imports, templates, first pool connections
        time.sleep(3)
        samples = [{"round": 0, "rss_mb": [rss_mb(p) for p in pids], "redis_clients": redis_clients(redis_client)}]
        for number in range(1, args.rounds + 1):
            opened = asyncio.run(churn(url, event.pk, args.sockets))
            time.sleep(3)
            samples.append(
                {
                    "round": number,
                    "opened": opened,
                    "rss_mb": [rss_mb(p) for p in pids],
                    "redis_clients": redis_clients(redis_client),
                    "server_connections": open_connections(url),
                }
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        event.delete()
    first, last = samples[1]["rss_mb"], samples[-1]["rss_mb"]
    print(
        json.dumps(
            {
                "bench": "ws_churn",
                "workers": args.workers,
                "sockets_per_round": args.sockets,
                "samples": samples,
                "growth_round1_mb": [round(b - a, 1) for a, b in zip(samples[0]["rss_mb"], first)],
                "growth_after_round1_mb": [round(b - a, 1) for a, b in zip(first, last)],
                "redis_clients_max": max(s["redis_clients"] for s in samples),
                "load_average": Path("/proc/loadavg").read_text().split()[:3],
            }
        )
    )


if __name__ == "__main__":
    main()
