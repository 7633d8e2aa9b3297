"""Judging at scale: (1) the judge assignment for 2,000 entries, 150 judges, K = 3 and 10% of
judge–entry pairs declared in conflict, through the real service on the database (and the
solver alone); (2) the live final's score-to-screen delay with 500 public screens open.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/judging.py [--entries 2000] [--judges 150] [--k 3] [--conflicts 0.1] \
        [--screens 500] [--servers 2] [--trials 20]

(1) Entries, judges and their Conflict rows are bulk-created; `round_assign` reads them, builds
the conflict set (declarations, organisations, teams), solves the min-cost flow and writes
6,000 assignments. Figures: wall time of the service and of the solver, conflicts violated,
judges per entry, load spread. (2) Two uvicorn processes in production mode share Redis; the
screens open the final's public topic exactly as the screen page does (anonymous), alternating
between the servers. A judge then POSTs the real scorecard form `trials` times (re-scoring the
team on stage) to the first server; a screen's delay runs from just before the POST to the
moment its socket receives the push of that version. Every message is also checked for a score
(none may carry one before the reveal). Prints one JSON line; the bench data is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import time
from datetime import timedelta

from _support import django_setup, login_sessions, ms, percentile, start_server

django_setup()

import httpx  # noqa: E402
import websockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CandidateProfile, User  # noqa: E402
from competitions.assignment import solve_assignment  # noqa: E402
from competitions.models import Assignment, Competition, Conflict, Criterion, Entry, Judge, Round  # noqa: E402
from competitions.services import conflict_pairs, live_advance, live_order_set, round_assign, round_open  # noqa: E402
from events.models import Event, Series  # noqa: E402
from projects.models import Team, TeamMember  # noqa: E402


def make_competition(run: str, title: str) -> Competition:
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.COMPETITION,
        title=f"{title} {run}",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=8),
        capacity=10,
        status=Event.Status.PUBLISHED,
    )
    return Competition.objects.create(
        event=event,
        series=series,
        tracks=["人工智能", "海洋经济"],
        entries_open_at=now - timedelta(days=9),
        entry_deadline=now - timedelta(days=1),
    )


def boss(run: str) -> User:
    from django.contrib.auth.models import Permission

    user = User.objects.create(email=f"judging-{run}-boss@bench.local", role=User.Role.ORGANIZER)
    user.user_permissions.add(Permission.objects.get(codename="manage_all_events"))
    return User.objects.get(pk=user.pk)


def assignment_part(run: str, entries_n: int, judges_n: int, k: int, share: float, organizer: User) -> dict:
    rng = random.Random(7)
    competition = make_competition(run, "assignment")
    leads = User.objects.bulk_create(
        [User(email=f"judging-{run}-lead{i}@bench.local", name=f"负责人{i}") for i in range(entries_n)]
    )
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="大学", discipline="0812")
            for u in leads
        ]
    )
    teams = Team.objects.bulk_create([Team(name=f"团队{i}", lead=u) for i, u in enumerate(leads)])
    TeamMember.objects.bulk_create(
        [
            TeamMember(team=t, user=t.lead, email=t.lead.email, is_lead=True, status=TeamMember.Status.ACCEPTED)
            for t in teams
        ]
    )
    entries = Entry.objects.bulk_create(
        [
            Entry(
                competition=competition,
                team=t,
                lead=t.lead,
                title=f"项目{i}",
                track="人工智能",
                organisation=f"大学{i}",
                summary="bench",
            )
            for i, t in enumerate(teams)
        ],
        batch_size=1000,
    )
    judge_users = User.objects.bulk_create(
        [User(email=f"judging-{run}-judge{i}@bench.local", name=f"评委{i}") for i in range(judges_n)]
    )
    judges = Judge.objects.bulk_create(
        [
            Judge(
                competition=competition,
                user=u,
                email=u.email,
                name=u.name,
                organisation=f"研究院{i}",
                status=Judge.Status.ACCEPTED,
            )
            for i, u in enumerate(judge_users)
        ]
    )
    declared = [
        Conflict(judge=j, kind=Conflict.Kind.ENTRY, entry=e) for j in judges for e in entries if rng.random() < share
    ]
    Conflict.objects.bulk_create(declared, batch_size=5000)
    round_ = Round.objects.create(competition=competition, number=1, name="初赛", judges_per_entry=k)
    started = time.perf_counter()
    report = round_assign(round_=round_, actor=organizer)
    service_s = time.perf_counter() - started
    pairs = set(Assignment.objects.filter(round=round_).values_list("judge_id", "entry_id"))
    conflicts = conflict_pairs(competition)
    per_entry = {}
    for _j, e in pairs:
        per_entry[e] = per_entry.get(e, 0) + 1
    plan = solve_assignment([e.pk for e in entries], [j.pk for j in judges], k, conflicts)
    result = {
        "entries": entries_n,
        "judges": judges_n,
        "k": k,
        "declared_conflicts": len(declared),
        "assign_service_s": round(service_s, 2),
        "assign_solver_s": round(plan.seconds, 2),
        "assignments": len(pairs),
        "conflicts_violated": len(pairs & conflicts),
        "judges_per_entry": sorted(set(per_entry.values())),
        "load_min": min(plan.loads.values()),
        "load_max": max(plan.loads.values()),
        "load_spread": report["spread"],
        "balanced": report["balanced"],
    }
    competition.event.delete()
    return result


def prepare_final(run: str, organizer: User):
    competition = make_competition(run, "final")
    lead = User.objects.create(email=f"judging-{run}-finalist@bench.local", name="决赛选手")
    CandidateProfile.objects.create(
        user=lead, full_name="决赛选手", phone="13800000001", institution="大学", discipline="0812"
    )
    team = Team.objects.create(name="决赛团队", lead=lead)
    entry = Entry.objects.create(
        competition=competition,
        team=team,
        lead=lead,
        title="决赛项目",
        track="人工智能",
        organisation="中国海洋大学",
        summary="bench",
    )
    judge_user = User.objects.create(email=f"judging-{run}-finaljudge@bench.local", name="现场评委")
    judge = Judge.objects.create(
        competition=competition,
        user=judge_user,
        email=judge_user.email,
        name="现场评委",
        organisation="山东大学",
        status=Judge.Status.ACCEPTED,
    )
    round_ = Round.objects.create(
        competition=competition, number=1, name="决赛", kind=Round.Kind.LIVE, judges_per_entry=1
    )
    criteria = [
        Criterion.objects.create(round=round_, name=n, weight=w, scale_max=10, order=i)
        for i, (n, w) in enumerate([("创新", 40), ("市场", 30), ("团队", 30)])
    ]
    assignment = Assignment.objects.create(round=round_, judge=judge, entry=entry)
    live_order_set(round_=round_, actor=organizer)
    round_open(round_=round_, actor=organizer)
    live_advance(round_=round_, actor=organizer, position=1)
    key = login_sessions([judge_user])[0]
    return competition, round_, assignment, criteria, key


async def fanout(urls, competition, round_, assignment, criteria, key, screens: int, trials: int) -> dict:
    topic = f"competition.{competition.pk}"
    arrivals: list[dict[int, float]] = [dict() for _ in range(screens)]
    leaks = 0
    errors = 0
    ready = 0
    all_ready = asyncio.Event()

    async def screen(index: int, gate: asyncio.Semaphore):
        nonlocal ready, errors, leaks
        base = urls[index % len(urls)]
        try:
            async with gate:
                socket = await websockets.connect(
                    base.replace("http://", "ws://") + f"/ws/live/?topics={topic}",
                    additional_headers={"Origin": base},
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=None,
                )
                hello = json.loads(await socket.recv())
                assert hello["type"] == "hello", hello
        except Exception:
            errors += 1
            ready += 1
            if ready == screens:
                all_ready.set()
            return
        ready += 1
        if ready == screens:
            all_ready.set()
        try:
            async with socket:
                while True:
                    raw = await socket.recv()
                    at = time.perf_counter()
                    message = json.loads(raw)
                    payload = message.get("payload") or {}
                    if payload.get("results") or "total" in raw or "67.5" in raw:
                        leaks += 1
                    if payload.get("type") == "final.state":
                        arrivals[index][payload["version"]] = at
        except Exception:
            return

    gate = asyncio.Semaphore(50)
    tasks = [asyncio.create_task(screen(i, gate)) for i in range(screens)]
    started = time.perf_counter()
    await asyncio.wait_for(all_ready.wait(), timeout=300)
    connect_s = time.perf_counter() - started
    await asyncio.sleep(1.0)
    cookie = settings.SESSION_COOKIE_NAME
    delays, post_ms = [], []
    async with httpx.AsyncClient(base_url=urls[0], timeout=30) as http:
        url = f"/competitions/judging/{assignment.pk}/"
        for trial in range(trials + 1):  # the first is a warm-up
            version = await asyncio.to_thread(lambda: Round.objects.get(pk=round_.pk).live_version)
            csrf = _get_new_csrf_string()
            data = {
                "csrfmiddlewaretoken": csrf,
                "next": "live",
                **{f"c{c.pk}": v for c, v in zip(criteria, ["7.5", "3.5", "9"])},
            }
            t0 = time.perf_counter()
            response = await http.post(
                url,
                data=data,
                headers={"Cookie": f"{cookie}={key}; {settings.CSRF_COOKIE_NAME}={csrf}", "Referer": urls[0] + url},
            )
            post_ms.append(time.perf_counter() - t0)
            if response.status_code != 302:
                raise SystemExit(f"the scorecard was refused: {response.status_code} {response.text[:300]}")
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline and sum(1 for a in arrivals if version + 1 in a) < screens - errors:
                await asyncio.sleep(0.01)
            if trial:
                delays.extend(a[version + 1] - t0 for a in arrivals if version + 1 in a)
            await asyncio.sleep(0.3)
    for start in range(0, len(tasks), 50):
        for task in tasks[start : start + 50]:
            task.cancel()
        await asyncio.gather(*tasks[start : start + 50], return_exceptions=True)
    return {"delays": delays, "errors": errors, "leaks": leaks, "connect_s": connect_s, "post": post_ms[1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=150)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--conflicts", type=float, default=0.10)
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    organizer = boss(run)
    try:
        figures = assignment_part(run, args.entries, args.judges, args.k, args.conflicts, organizer)
        if args.screens:
            if not settings.REDIS_URL:
                raise SystemExit("the fan-out part needs REDIS_URL: the servers must share a channel layer")
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.screens + 256)), hard))
            competition, round_, assignment, criteria, key = prepare_final(run, organizer)
            servers = [start_server(workers=1) for _ in range(args.servers)]
            try:
                result = asyncio.run(
                    fanout(
                        [u for _p, u in servers],
                        competition,
                        round_,
                        assignment,
                        criteria,
                        key,
                        args.screens,
                        args.trials,
                    )
                )
            finally:
                for process, _url in servers:
                    process.terminate()
                for process, _url in servers:
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
            competition.event.delete()
            delays = result["delays"]
            figures.update(
                {
                    "screens": args.screens,
                    "servers": args.servers,
                    "trials": args.trials,
                    "screen_connect_errors": result["errors"],
                    "deliveries": len(delays),
                    "expected_deliveries": args.trials * (args.screens - result["errors"]),
                    "score_leaks": result["leaks"],
                    "score_to_screen_p50_ms": ms(percentile(delays, 50)),
                    "score_to_screen_p99_ms": ms(percentile(delays, 99)),
                    "score_to_screen_max_ms": ms(max(delays or [0])),
                    "post_p50_ms": ms(percentile(result["post"], 50)),
                    "connect_all_s": round(result["connect_s"], 2),
                }
            )
    finally:
        User.objects.filter(email__startswith=f"judging-{run}-").delete()
    print(json.dumps({"bench": "judging", "database": connection.vendor, **figures}))


if __name__ == "__main__":
    main()
