"""Door scanning under load: distinct tickets at a given concurrency, then re-scans and forgeries.

Run against a production-like server (PostgreSQL, Redis, several uvicorn workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/checkin.py [--tickets 3000] [--concurrency 16] [--workers 2] [--url ...]

Without --url it starts `uvicorn --workers N` itself. An event under way, its candidates,
confirmed registrations and tickets are created in bulk; a scanner device is paired; an
organizer's dashboard WebSocket listens on the event's staff topic. Then every ticket is
scanned once (sustained, `--concurrency` requests in flight), 200 of them again (duplicates)
and 200 forged codes. Prints one JSON line: scans, ok, duplicates detected, forged rejected,
errors, scans per second, p50/p95/p99 latency, and the p99 delay from sending a scan to its
message on the dashboard socket.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import time
from datetime import timedelta

from _support import django_setup, http_client, ms, percentile, start_server

django_setup()

import websockets  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from checkin.keys import private_key, signing_key_current  # noqa: E402
from checkin.models import Checkin, Scan, Ticket  # noqa: E402
from checkin.services import checkin_list_default, device_create, device_pair  # noqa: E402
from events.models import Event, EventTeamMember, Registration, Series  # noqa: E402

RESCANS = 200
FORGED = 200


def prepare(tickets: int, run: str):
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FAIR,
        title=f"bench checkin {run}",
        capacity=tickets + 10,
        status=Event.Status.PUBLISHED,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=4),
        registration_opens_at=now - timedelta(days=2),
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-ci-{run}-{i}@bench.local",
                name=f"签到压测{i}",
                role=User.Role.CANDIDATE,
                password=password,
            )
            for i in range(tickets)
        ]
    )
    registrations = Registration.objects.bulk_create(
        [Registration(event=event, user=u, status="confirmed", confirmed_at=now) for u in users]
    )
    made = Ticket.objects.bulk_create([Ticket(registration=r, event=event) for r in registrations])
    Event.objects.filter(pk=event.pk).update(seats_confirmed=len(registrations))  # bulk rows skip the services
    key = signing_key_current(event.pk)
    signer = private_key(key)
    codes = []
    for ticket in made:
        body = f"1.{key.pk}.{ticket.pk}.{event.pk}"
        codes.append(f"{body}.{base64.urlsafe_b64encode(signer.sign(body.encode())).rstrip(b'=').decode()}")
    organizer = User.objects.create(
        email=f"bench-ci-{run}-org@bench.local", name="压测主办", password=password, role=User.Role.ORGANIZER
    )
    EventTeamMember.objects.create(event=event, user=organizer, can_edit=True, can_scan=True)
    checkin_list_default(event_id=event.pk)
    _device, code = device_create(actor=organizer, name="bench", events=[event])
    _device, token = device_pair(code=code)
    return event, organizer, codes, token


def session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def forge(code: str) -> str:
    body, signature = code.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[secrets.randbelow(64)] ^= 1 << secrets.randbelow(8)
    return f"{body}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def listen(ws_url: str, headers: dict, ready, stop, out) -> None:
    """The dashboard socket, in its own process so the load generator cannot delay its reads."""

    async def main():
        pushed: dict[str, float] = {}
        async with websockets.connect(ws_url, additional_headers=headers, max_queue=None) as ws:
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                payload = json.loads(raw).get("payload") or {}
                if payload.get("type") == "checkin.scans":
                    arrived = time.time()
                    for row in payload["scans"]:
                        pushed[row["nonce"]] = arrived
        out.put(pushed)

    asyncio.run(main())


async def run(url: str, event_id: int, codes: list[str], token: str, cookie: str, concurrency: int) -> dict:
    import multiprocessing

    sent: dict[str, float] = {}
    ws_url = url.replace("http://", "ws://") + f"/ws/live/?topics=event.{event_id}.staff"
    ready, stop, out = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
    listener = multiprocessing.Process(
        target=listen, args=(ws_url, {"Origin": url, "Cookie": cookie}, ready, stop, out)
    )
    listener.start()
    if not ready.wait(30):
        raise SystemExit("the dashboard socket did not connect")
    latencies: list[float] = []
    results: dict[str, int] = {}
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}

    async with http_client(url, concurrency=concurrency, headers=headers) as client:

        async def scan_all(items: list[str]) -> None:
            queue = iter(items)

            async def worker():
                nonlocal errors
                for code in queue:
                    nonce = secrets.token_hex(16)
                    started = time.perf_counter()
                    sent[nonce] = time.time()
                    try:
                        async with client.post(
                            "/api/checkin/scan", json={"code": code, "gate": "bench", "nonce": nonce}
                        ) as response:
                            result = (await response.json()).get("result", f"http{response.status}")
                    except Exception:
                        errors += 1
                        continue
                    latencies.append(time.perf_counter() - started)
                    results[result] = results.get(result, 0) + 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))

        began = time.perf_counter()
        await scan_all(codes)
        sustained = time.perf_counter() - began
        first_pass = len(latencies)
        await scan_all([codes[i] for i in range(0, len(codes), max(1, len(codes) // RESCANS))][:RESCANS])
        await scan_all([forge(codes[i % len(codes)]) for i in range(FORGED)])
    await asyncio.sleep(2)  # the last pushes
    stop.set()
    pushed = out.get(timeout=30)
    listener.join(10)
    delays = [pushed[n] - sent[n] for n in pushed if n in sent]
    return {
        "scans": sum(results.values()) + errors,
        "ok": results.get("ok", 0),
        "duplicates_detected": results.get("already_checked_in", 0),
        "forged_rejected": results.get("invalid", 0),
        "other_results": {k: v for k, v in results.items() if k not in ("ok", "already_checked_in", "invalid")},
        "errors": errors,
        "scans_per_second": round(first_pass / sustained, 1),
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "dashboard_messages": len(delays),
        "scan_to_dashboard_p50_ms": ms(percentile(delays, 50)),
        "scan_to_dashboard_p99_ms": ms(percentile(delays, 99)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument(
        "--concurrency", type=int, default=16, help="scans in flight: phones at the gates waiting for their answer"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default="")
    parser.add_argument(
        "--http-concurrency",
        type=int,
        default=4,
        help="HTTP_CONCURRENCY_PER_PROCESS of the server it starts (0 = unlimited)",
    )
    args = parser.parse_args()
    os.environ["HTTP_CONCURRENCY_PER_PROCESS"] = str(args.http_concurrency)
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("needs REDIS_URL (the dashboard socket and the server share Redis)")
    run_id = secrets.token_hex(4)
    event, organizer, codes, token = prepare(args.tickets, run_id)
    cookie = session_cookie(organizer)
    process = None
    url = args.url
    if not url:
        process, url = start_server(workers=args.workers)
    try:
        figures = asyncio.run(run(url, event.pk, codes, token, cookie, args.concurrency))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
    figures.update(
        {
            "tickets": args.tickets,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "http_concurrency_per_process": args.http_concurrency,
            "expected_duplicates": RESCANS,
            "expected_forged": FORGED,
        }
    )
    figures.update(verify_in_database(event, len(codes), figures))
    print(json.dumps(figures))


def verify_in_database(event, tickets: int, figures: dict) -> dict:
    """What the database holds after the run, against what the server answered: the replies
    alone cannot show a check-in written twice, or an "ok" that was never stored."""
    checkins = Checkin.objects.filter(ticket__event=event)
    stored = checkins.count()
    distinct = checkins.values("ticket_id").distinct().count()
    flagged = Scan.objects.filter(event_id=event.pk, result="already_checked_in").count()
    return {
        "db_checkins": stored,
        "db_distinct_tickets_checked_in": distinct,
        "db_duplicate_scans_recorded": flagged,
        # The door's claim, checked from the rows: every ticket in exactly once, every "ok" stored,
        # every re-scan recorded as a duplicate, and no forged code let anyone in.
        "db_matches_replies": stored == distinct == figures["ok"] == tickets
        and flagged == figures["duplicates_detected"],
    }


if __name__ == "__main__":
    main()
