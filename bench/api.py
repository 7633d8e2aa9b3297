"""The open API under load: the programme list and an event's registrations with their answers.

Run against a production-like server (PostgreSQL, Redis, several uvicorn workers):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/api.py [--registrations 2000] [--questions 10] [--events 200] \
        [--requests 400] [--concurrency 2] [--limit 50] [--workers 2] [--url http://host:port]

Creates (bulk) an event with `--questions` registration questions and `--registrations`
registrations, each answering every question, plus `--events` published events, and a read-only
API token. Then, after a warm-up, it sends `--requests` requests to each list, walking the pages
by cursor (so late pages are measured too). Query counts are measured in-process at page sizes
1 and 200: they must be equal. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import timedelta

from _support import django_setup, http_client, ms, percentile, process_tree_cpu_s, start_server

# Before settings are read, here and in the server it starts: the benchmark measures the API,
# not its rate limit (one token sends every request).
os.environ.setdefault("API_RATE_TOKEN", "1000000")
os.environ.setdefault("API_RATE_ANONYMOUS", "1000000")
django_setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CandidateProfile, User  # noqa: E402
from api.services import api_token_create  # noqa: E402
from events.models import Answer, Event, EventTeamMember, Question, Registration, Series  # noqa: E402

KINDS = [
    "short_text",
    "long_text",
    "one_choice",
    "many_choices",
    "yes_no",
    "number",
    "date",
    "short_text",
    "long_text",
    "consent",
]


def _value(kind: str, i: int):
    return {
        "short_text": (f"方向{i}", f"方向{i}"),
        "long_text": ("设想" * 20, "设想" * 20),
        "one_choice": ("崂山区", "崂山区"),
        "many_choices": (["海洋", "人工智能"], "海洋、人工智能"),
        "yes_no": (True, "是"),
        "number": (i % 40, str(i % 40)),
        "date": ("2026-03-01", "2026-03-01"),
        "consent": (True, "是"),
    }[kind]


def prepare(registrations: int, questions: int, events: int, run: str) -> tuple[Event, str]:
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()

    def event(title: str, capacity: int) -> Event:
        return Event(
            series=series,
            kind=Event.Kind.FORUM,
            title=title,
            capacity=capacity,
            status=Event.Status.PUBLISHED,
            starts_at=now + timedelta(days=3, minutes=len(title)),
            ends_at=now + timedelta(days=3, hours=4),
            registration_opens_at=now - timedelta(hours=1),
        )

    Event.objects.bulk_create([event(f"bench {run} programme {i}", 100) for i in range(events)])
    target = Event.objects.create(
        **{
            f.attname: getattr(event(f"bench {run} target", registrations // 2), f.attname)
            for f in Event._meta.concrete_fields
            if f.attname != "id"
        }
    )
    qs = Question.objects.bulk_create(
        [
            Question(
                event=target,
                kind=KINDS[i % len(KINDS)],
                label=f"问题{i + 1}",
                position=i + 1,
                choices=["市南区", "崂山区"]
                if KINDS[i % len(KINDS)] == "one_choice"
                else (["海洋", "人工智能", "新材料"] if KINDS[i % len(KINDS)] == "many_choices" else []),
                consent_text="同意" if KINDS[i % len(KINDS)] == "consent" else "",
            )
            for i in range(questions)
        ]
    )
    if qs and qs[0].pk is None:
        qs = list(Question.objects.filter(event=target).order_by("position"))
    Event.objects.filter(pk=target.pk).update(has_questions=bool(qs))
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(email=f"api-{run}-{i}@bench.local", name=f"压测{i}", role=User.Role.CANDIDATE, password=password)
            for i in range(registrations)
        ]
    )
    if users and users[0].pk is None:
        users = list(User.objects.filter(email__startswith=f"api-{run}-").order_by("id"))
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="bench", discipline="0812")
            for u in users
        ]
    )
    half = registrations // 2
    rows = Registration.objects.bulk_create(
        [
            Registration(
                event=target,
                user=u,
                status="confirmed" if i < half else "waitlisted",
                created_at=now + timedelta(milliseconds=i),
            )
            for i, u in enumerate(users)
        ]
    )
    if rows and rows[0].pk is None:
        rows = list(Registration.objects.filter(event=target).order_by("id"))
    Answer.objects.bulk_create(
        [
            Answer(registration=r, question=q, value=_value(q.kind, i)[0], text=_value(q.kind, i)[1])
            for i, r in enumerate(rows)
            for q in qs
        ],
        batch_size=5000,
    )
    boss = User.objects.create(email=f"api-{run}-boss@bench.local", role=User.Role.ORGANIZER, password=password)
    EventTeamMember.objects.create(event=target, user=boss)
    _token, raw = api_token_create(actor=boss, event=target, name="bench", access="read")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a live site
            cursor.execute("ANALYZE")
    return target, raw


def query_counts(target: Event, raw: str) -> dict:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    counts = {}
    for name, path in (("programme", "/api/v1/events"), ("registrations", f"/api/v1/events/{target.pk}/registrations")):
        for limit in (1, 200):
            client.get(f"{path}?limit={limit}", **headers)  # warm (last_used_at, caches)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"{path}?limit={limit}", **headers)
            assert response.status_code == 200, response.content[:300]
            counts[f"{name}_queries_limit_{limit}"] = len(ctx.captured_queries)
    return counts


async def walk(url: str, path: str, raw: str, requests: int, concurrency: int, limit: int) -> dict:
    """`requests` GETs of `path`, `concurrency` page-walkers following next_cursor (wrapping round)."""
    latencies: list[float] = []
    errors = 0
    per_walker = requests // concurrency
    async with http_client(url, concurrency=concurrency, headers={"Authorization": f"Bearer {raw}"}) as client:

        async def walker() -> None:
            nonlocal errors
            cursor = None
            for _ in range(per_walker):
                query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
                started = time.perf_counter()
                try:
                    async with client.get(path + query) as response:
                        body = await response.json()
                        if response.status != 200:
                            errors += 1
                            cursor = None
                            continue
                except Exception:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                cursor = body.get("next_cursor")

        started = time.perf_counter()
        await asyncio.gather(*(walker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def figures(name: str, result: dict) -> dict:
    lat = result["latencies"]
    return {
        f"{name}_requests": len(lat),
        f"{name}_errors": result["errors"],
        f"{name}_per_second": round(len(lat) / result["elapsed"], 1) if result["elapsed"] else None,
        f"{name}_p50_ms": ms(percentile(lat, 50)),
        f"{name}_p99_ms": ms(percentile(lat, 99)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default="")
    args = parser.parse_args()

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    target, raw = prepare(args.registrations, args.questions, args.events, run)
    counts = query_counts(target, raw)
    connection.close()
    server, url = (None, args.url) if args.url else start_server(workers=args.workers)
    try:
        registrations_path = f"/api/v1/events/{target.pk}/registrations"
        # Warm-up, not measured: imports, connection pools, the first pages' plans.
        asyncio.run(walk(url, "/api/v1/events", raw, 40, args.concurrency, args.limit))
        asyncio.run(walk(url, registrations_path, raw, 40, args.concurrency, args.limit))
        cpu_before = process_tree_cpu_s(server.pid) if server is not None else None
        programme = asyncio.run(walk(url, "/api/v1/events", raw, args.requests, args.concurrency, args.limit))
        registrations = asyncio.run(walk(url, registrations_path, raw, args.requests, args.concurrency, args.limit))
        cpu = process_tree_cpu_s(server.pid) - cpu_before if cpu_before is not None else None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    total = len(programme["latencies"]) + len(registrations["latencies"])
    print(
        json.dumps(
            {
                "bench": "api",
                "database": connection.vendor,
                "redis": bool(settings.REDIS_URL),
                "workers": args.workers if not args.url else None,
                "registrations": args.registrations,
                "questions": args.questions,
                "answers": args.registrations * args.questions,
                "events": args.events + 1,
                "page_size": args.limit,
                "concurrency": args.concurrency,
                **figures("programme", programme),
                **figures("registrations", registrations),
                **counts,
                "server_cpu_ms_per_request": round(cpu * 1000 / total, 2) if cpu and total else None,
            }
        )
    )


if __name__ == "__main__":
    main()
