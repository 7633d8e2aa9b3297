"""Faults under load: registrations and door scans while Redis stops for 15 s, PostgreSQL
"restarts" and the Celery worker is killed. Prints one JSON line: requests failed by kind and
phase, notices and e-mails expected versus delivered, and duplicates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju_robustness_bench \\
        .venv/bin/python bench/faults.py [--seconds 40] [--rate 15] [--workers 2]

It never touches the machine's shared services' processes: Redis is a redis-server of its own on
a free port (stopped and started here), and uvicorn and the Celery worker reach PostgreSQL
through a TCP proxy of its own; "PostgreSQL restarts" is the proxy dropping every connection
and refusing new ones for a second, which is what clients see of a restart. E-mail goes to an
SMTP server (aiosmtpd) in this process. Timeline (seconds from the start of the load):

    0-5   normal        5-20  Redis down        20  Redis back (empty: queued tasks lost)
    25    PostgreSQL connections cut, refused for 1 s
    30    Celery worker killed (SIGKILL), a new one started at 32
    end   load stops; beat's re-drives run (clock moved on) until all is delivered or 400 s
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from urllib.parse import urlparse

from _support import ROOT, free_port, http_client, login_sessions, start_server

sys.path.insert(0, str(ROOT))
from tests.robustness.support import OwnRedis, TcpProxy, start_worker, stop_worker

REDIS = OwnRedis()
REDIS.start()
os.environ["REDIS_URL"] = REDIS.url
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-faults-" + "k" * 60)

from _support import django_setup  # noqa: E402

django_setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

PHASES = [
    (0, "normal"),
    (5, "redis_down"),
    (20, "redis_back"),
    (25, "postgres_restart"),
    (29, "after_postgres"),
    (30, "worker_killed"),
    (35, "recovered"),
]


def phase_of(t: float) -> str:
    name = PHASES[0][1]
    for start, label in PHASES:
        if t >= start:
            name = label
    return name


def prepare(users: int, tickets: int, run: str):
    from accounts.models import CandidateProfile, User
    from checkin.keys import private_key, signing_key_current
    from checkin.models import Ticket
    from checkin.services import checkin_list_default, device_create, device_pair
    from events.models import Event, EventTeamMember, Registration, Series

    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FAIR,
        title=f"faults {run}",
        capacity=users + 10,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        registration_opens_at=now - timedelta(hours=1),
    )
    door = Event.objects.create(
        series=series,
        kind=Event.Kind.FAIR,
        title=f"faults door {run}",
        capacity=tickets + 10,
        status=Event.Status.PUBLISHED,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=4),
        registration_opens_at=now - timedelta(days=2),
    )
    password = make_password("bench-password")
    people = User.objects.bulk_create(
        [
            User(email=f"faults-{run}-{i}@bench.local", name=f"故障{i}", password=password, role=User.Role.CANDIDATE)
            for i in range(users + tickets)
        ]
    )
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="bench", discipline="0812")
            for u in people
        ]
    )
    registrants, holders = people[:users], people[users:]
    registrations = Registration.objects.bulk_create(
        [Registration(event=door, user=u, status="confirmed", confirmed_at=now) for u in holders]
    )
    made = Ticket.objects.bulk_create([Ticket(registration=r, event=door) for r in registrations])
    key = signing_key_current(door.pk)
    signer = private_key(key)
    codes = []
    for ticket in made:
        body = f"1.{key.pk}.{ticket.pk}.{door.pk}"
        codes.append(f"{body}.{base64.urlsafe_b64encode(signer.sign(body.encode())).rstrip(b'=').decode()}")
    boss = User.objects.create(email=f"faults-{run}-org@bench.local", password=password, role=User.Role.ORGANIZER)
    EventTeamMember.objects.create(event=door, user=boss, can_edit=True, can_scan=True)
    checkin_list_default(event_id=door.pk)
    _device, pairing = device_create(actor=boss, name="bench", events=[door])
    _device, token = device_pair(code=pairing)
    return event, login_sessions(registrants), codes, token


async def load(
    url: str, event, session_keys: list[str], codes: list[str], token: str, seconds: float, rate: float, actions
) -> list[tuple[float, str, object]]:
    results: list[tuple[float, str, object]] = []
    start = time.monotonic()

    async with http_client(url, concurrency=64) as client:

        async def register(key: str):
            csrf = _get_new_csrf_string()
            headers = {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}",
                "Referer": f"{url}/events/{event.pk}/",
            }
            t = time.monotonic() - start
            try:
                async with client.post(
                    f"/events/{event.pk}/register/",
                    data={"csrfmiddlewaretoken": csrf},
                    headers=headers,
                    allow_redirects=False,
                ) as response:
                    await response.read()
                    # A 302 to the event page is a registration; one to the login page is not.
                    where = response.headers.get("Location", "")
                    status = response.status if "/login/" not in where else "login_redirect"
                    if os.environ.get("FAULTS_DEBUG") and len(results) < 3:
                        print("register ->", response.status, where, file=sys.stderr)
                    results.append((t, "register", status))
            except Exception as error:
                results.append((t, "register", type(error).__name__))

        async def scan(code: str):
            t = time.monotonic() - start
            body = json.dumps({"code": code, "gate": "东门", "nonce": uuid.uuid4().hex})
            try:
                async with client.post(
                    "/api/checkin/scan",
                    data=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                ) as response:
                    await response.read()
                    results.append((t, "scan", response.status))
            except Exception as error:
                results.append((t, "scan", type(error).__name__))

        tasks, sent, done_actions = [], 0, set()
        while (elapsed := time.monotonic() - start) < seconds:
            for at, action in actions:
                if elapsed >= at and at not in done_actions:
                    done_actions.add(at)
                    await asyncio.get_running_loop().run_in_executor(None, action)
            while sent < int(elapsed * rate) and sent < min(len(session_keys), len(codes)):
                tasks.append(asyncio.create_task(register(session_keys[sent])))
                tasks.append(asyncio.create_task(scan(codes[sent])))
                sent += 1
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rate", type=float, default=15, help="registrations and scans per second (each)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("needs PostgreSQL: DATABASE_URL=postgres://.../boju_robustness_bench")
    run = timezone.now().strftime("%H%M%S%f")
    count = int(args.seconds * args.rate) + 10
    event, keys, codes, token = prepare(count, count, run)
    connection.close()

    db = settings.DATABASES["default"]
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    direct_url = os.environ["DATABASE_URL"]
    parsed = urlparse(direct_url)
    proxied = parsed._replace(netloc=f"{parsed.username or 'postgres'}@127.0.0.1:{proxy.port}").geturl()
    smtp_port = free_port()
    from aiosmtpd.controller import Controller

    class Recorder:
        def __init__(self):
            self.rcpts: list[str] = []

        async def handle_DATA(self, server, session, envelope):
            self.rcpts.extend(envelope.rcpt_tos)
            return "250 OK"

    recorder = Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    queue = f"faults-{run}"
    os.environ.update(DATABASE_URL=proxied, CELERY_TASK_DEFAULT_QUEUE=queue)
    server, url = start_server(workers=args.workers)
    worker_env = {"CELERY_TASK_DEFAULT_QUEUE": queue}
    workers = [
        start_worker(queue=queue, broker_url=REDIS.url, database_url=proxied, smtp_port=smtp_port, extra_env=worker_env)
    ]

    def cut_postgres():
        proxy.refusing = True
        proxy.cut()
        time.sleep(1.0)
        proxy.refusing = False

    def kill_worker():
        workers[-1][0].kill()

    def new_worker():
        workers.append(
            start_worker(
                queue=queue, broker_url=REDIS.url, database_url=proxied, smtp_port=smtp_port, extra_env=worker_env
            )
        )

    actions = [(5, REDIS.stop), (20, REDIS.start), (25, cut_postgres), (30, kill_worker), (32, new_worker)]
    try:
        time.sleep(3)
        results = asyncio.run(load(url, event, keys, codes, token, args.seconds, args.rate, actions))
        # What beat does every 30/60 s, with the clock moved past the thresholds.
        from events.models import Registration
        from notifications import outbox
        from notifications.models import EmailDelivery, Notification
        from notifications.tasks import emails_redrive

        os.environ["DATABASE_URL"] = direct_url
        from config.celery import app as celery_app

        celery_app.conf.update(task_default_queue=queue, task_always_eager=False, broker_url=REDIS.url)
        confirmed = set(Registration.objects.filter(event=event, status="confirmed").values_list("user_id", flat=True))
        deadline = time.monotonic() + float(os.environ.get("FAULTS_DRAIN_S", "400"))
        drain_started = time.monotonic()
        while time.monotonic() < deadline:
            later = timezone.now() + timedelta(minutes=15)
            outbox.outbox_redrive(now=later)
            emails_redrive(now=later)
            notices = Notification.objects.filter(kind="registration.confirmed", user_id__in=confirmed).count()
            if notices >= len(confirmed) and len(set(recorder.rcpts) & emails_of(confirmed)) >= len(confirmed):
                break
            time.sleep(3)
        time.sleep(3)
        drain_s = time.monotonic() - drain_started
    finally:
        server.terminate()
        server.wait(timeout=30)
        for process, log in workers:
            stop_worker(process, log, kill=True)
        smtp.stop()
        proxy.close()
        REDIS.stop()

    notice_counts = Counter(
        Notification.objects.filter(kind="registration.confirmed", user_id__in=confirmed).values_list(
            "user_id", flat=True
        )
    )
    expected_emails = emails_of(confirmed)
    mail_counts = Counter(r for r in recorder.rcpts if r in expected_emails)
    ok = {"register": {302}, "scan": {200}}
    failed = Counter()
    for t, kind, status in results:
        if status not in ok[kind]:
            failed[f"{kind}:{phase_of(t)}:{status}"] += 1
    pg = [(t, status) for t, kind, status in results if status not in ok[kind] and 24.5 <= t < 29]
    print(
        json.dumps(
            {
                "bench": "faults",
                "requests": Counter(kind for _t, kind, _s in results),
                "failed": dict(sorted(failed.items())),
                "registrations_failed_while_redis_down": sum(
                    1 for t, kind, s in results if kind == "register" and s != 302 and 5 <= t < 20
                ),
                "postgres_restart_failures": len(pg),
                "postgres_restart_failure_window_s": round(max(t for t, _ in pg) - min(t for t, _ in pg), 2)
                if pg
                else 0.0,
                "postgres_restart_failures_all_503": all(s == 503 for _t, s in pg),
                "notices_expected": len(confirmed),
                "notices_delivered": len(notice_counts),
                "notices_duplicated": sum(n - 1 for n in notice_counts.values()),
                "emails_expected": len(expected_emails),
                "emails_delivered": len(mail_counts),
                "emails_duplicated": sum(n - 1 for n in mail_counts.values()),
                "emails_still_pending": EmailDelivery.objects.filter(
                    notification__user_id__in=confirmed, status="pending"
                ).count(),
                "drain_s": round(drain_s, 1),
            },
            ensure_ascii=False,
        )
    )


def emails_of(user_ids) -> set[str]:
    from accounts.models import User

    return set(User.objects.filter(pk__in=user_ids).values_list("email", flat=True))


if __name__ == "__main__":
    main()
