"""The Celery worker's notices: how fast it writes the registration notices of a burst.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/notices.py [--notices 2000] [--seats 100] [--batch 6] [--profile]

No HTTP server: an event, its candidates and their registrations (the first --seats confirmed,
the rest on the waiting list) are created in bulk, then one outbox row per registration with
exactly the payload events.notices.schedule_registered() writes. A worker started as
bench/registration_burst.py starts it (_support.start_celery_worker) gets a warm-up batch, then
every row, handed over the way the ASGI server does it: outbox_dispatch() with --batch ids per
task (a server process gathers the notices of 50 ms; 250 registrations/s over 2 processes is
about 6). Measured from the first hand-over: until the last notice is written (outbox `done`),
and until the last e-mail is sent (EmailDelivery `sent`; the e-mail backend is the dummy one,
so this is the worker's own cost of an e-mail: render, attachments, bookkeeping, tasks).
Prints one JSON line: notices/s, e-mails/s, the worker's CPU per notice, the load average, and
with --profile where the worker's time went (py-spy, all samples and GIL-holding ones).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from _support import django_setup, process_tree_cpu_s, start_celery_worker

django_setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CandidateProfile, User  # noqa: E402
from events.models import Event, Registration, Series  # noqa: E402
from events.notices import event_context  # noqa: E402
from notifications.models import EmailDelivery, Notification, OutboxMessage  # noqa: E402
from notifications.outbox import outbox_dispatch  # noqa: E402


def prepare(count: int, seats: int, run: str) -> list[int]:
    """`count` registrations of a new event and their outbox rows; the rows' ids."""
    series, _ = Series.objects.get_or_create(slug="bench", defaults={"title": "Benchmark", "year": 2025})
    now = timezone.now()
    event = Event.objects.create(
        series=series,
        kind=Event.Kind.FAIR,
        title=f"notices {run}",
        capacity=seats,
        status=Event.Status.PUBLISHED,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        registration_opens_at=now - timedelta(hours=1),
        online_url="https://meet.example.cn/bench",
        mode=Event.Mode.HYBRID,
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(email=f"notices-{run}-{i}@bench.local", name=f"通知{i}", role=User.Role.CANDIDATE, password=password)
            for i in range(count)
        ],
        batch_size=1000,
    )
    CandidateProfile.objects.bulk_create(
        [
            CandidateProfile(user=u, full_name=u.name, phone="13800000000", institution="bench", discipline="0812")
            for u in users
        ],
        batch_size=1000,
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                user=u,
                status=Registration.Status.CONFIRMED if i < seats else Registration.Status.WAITLISTED,
                confirmed_at=now if i < seats else None,
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    confirmed, waitlisted = event_context(event, with_link=True), event_context(event)
    rows = []
    for i, registration in enumerate(registrations):
        if i < seats:
            kind, context = "registration.confirmed", dict(confirmed)
        else:
            kind, context = "registration.waitlisted", {**waitlisted, "position": i - seats + 1}
        context["registration_id"] = registration.pk
        payload = {"user_ids": [registration.user_id], "kind": kind, "context": context}
        rows.append(OutboxMessage(kind=OutboxMessage.Kind.NOTICE, payload=payload))
    return [m.pk for m in OutboxMessage.objects.bulk_create(rows, batch_size=1000)]


def hand_over(ids: list[int], batch: int) -> None:
    for start in range(0, len(ids), batch):
        outbox_dispatch(ids[start : start + batch])
    connection.close()


def wait_for(ids: list[int], timeout: float, started: float) -> dict:
    """Poll until every row is done and every e-mail of their notices sent (or `timeout`)."""
    notices_at = emails_at = None
    deadline = time.monotonic() + timeout
    # Cheap polls (an id range, an index), so the bench's own queries barely load PostgreSQL.
    outbox = OutboxMessage.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
    deliveries = EmailDelivery.objects.filter(notification_id__gt=wait_for.after)  # written since the hand-over
    while time.monotonic() < deadline:
        now = time.perf_counter()
        if notices_at is None and not outbox.exclude(status=OutboxMessage.Status.DONE).exists():
            notices_at = now
        if notices_at is not None and not deliveries.exclude(status=EmailDelivery.Status.SENT).exists():
            emails_at = now
            break
        time.sleep(0.1)
    return {
        "notices_s": None if notices_at is None else notices_at - started,
        "emails_s": None if emails_at is None else emails_at - started,
    }


def worker_pids(pid: int) -> list[int]:
    """The worker's main process and its pool's children."""
    found = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def profile_start(pids: list[int]) -> list[tuple[subprocess.Popen, Path, int]]:
    exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    handles = []
    for pid in pids if exe else []:
        out = Path(tempfile.mkdtemp(prefix="boju-pyspy-")) / "stacks.txt"
        # --idle: also the samples where the process waits (Redis, PostgreSQL, a pipe), so the
        # split shows where the wall-clock time of a notice goes, not only the CPU.
        mode = "--gil" if profile_start.gil else "--idle"
        command = [exe, "record", "-f", "raw", mode, "--nonblocking", "-r", "200", "-p", str(pid), "-o", str(out)]
        handles.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out, pid))
    return handles


# Sorted top to bottom against the whole stack; the first match takes the sample.
PARTS = [
    ("waiting_for_a_task", ("kombu/", "billiard/", "celery/worker/", "select", "epoll")),
    ("email_build", ("notifications/rendering.py", "checkin/", "events/notices.py", "events/calendar.py")),
    ("push", ("notifications/live.py", "channels_redis", "channels/")),
    ("db_connect", ("connect (psycopg", "get_new_connection", "ensure_connection", "init_connection_state")),
    ("notice_write", ("notify_many",)),
    ("email_bookkeeping", ("notifications/tasks.py",)),
    ("outbox", ("notifications/outbox.py",)),
    ("celery_task_overhead", ("celery/", "kombu/", "billiard/")),
]


def _part(stack: str) -> str:
    # Where the leaf frame is matters for "waiting": a task that is running is never waiting.
    running = "trace_task" in stack or "notifications/" in stack
    for name, needles in PARTS:
        if name == "waiting_for_a_task" and running:
            continue
        if name == "db_connect" and any(n in stack for n in needles):
            return name
        if any(n in stack for n in needles):
            return name
    return "other"


def profile_stop(handles) -> dict:
    split = {}
    for process, out, pid in handles:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        parts: Counter = Counter()
        total = 0
        try:
            lines = out.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            total += int(count)
            parts[_part(stack)] += int(count)
        if total:
            split[str(pid)] = {"samples": total, **{k: round(v / total, 3) for k, v in parts.most_common()}}
    return split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=100, help="the first this many are confirmed (ticket + .ics)")
    parser.add_argument("--batch", type=int, default=6, help="outbox ids per task, as a server's 50 ms window")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="worker processes (deploy/systemd/boju-worker.service runs 2)"
    )
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--profile", action="store_true", help="py-spy the worker while it works")
    parser.add_argument("--gil", action="store_true", help="with --profile: only samples holding the GIL (CPU)")
    args = parser.parse_args()
    profile_start.gil = args.gil

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    warm = prepare(args.warmup, min(args.seats, args.warmup), f"{run}w")
    ids = prepare(args.notices, args.seats, run)
    connection.close()
    queue = f"bench-notices-{run}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    from config.celery import app

    app.conf.task_default_queue = queue
    worker = start_celery_worker(queue=queue, concurrency=args.concurrency)
    try:
        wait_for.after = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        hand_over(warm, args.batch)
        warmed = wait_for(warm, 120, time.perf_counter())
        if warmed["emails_s"] is None:
            raise SystemExit("the worker did not finish the warm-up")
        time.sleep(1)
        pids = worker_pids(worker.pid)
        handles = profile_start(pids) if args.profile else None
        load_before = os.getloadavg()[0]
        cpu_before = process_tree_cpu_s(worker.pid) or 0.0
        wait_for.after = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.perf_counter()
        hand_over(ids, args.batch)
        done = wait_for(ids, args.timeout, started)
        cpu = (process_tree_cpu_s(worker.pid) or 0.0) - cpu_before
        load_after = os.getloadavg()[0]
        split = profile_stop(handles) if handles else None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)
    event_id = Event.objects.get(title=f"notices {run}").pk
    written = Notification.objects.filter(context__event_id=event_id)
    emails = EmailDelivery.objects.filter(notification__in=written)
    n = args.notices
    print(
        json.dumps(
            {
                "bench": "notices",
                "notices": n,
                "batch": args.batch,
                "worker_concurrency": args.concurrency,
                "seats": args.seats,
                "notices_written": written.count(),
                "emails_sent": emails.filter(status=EmailDelivery.Status.SENT).count(),
                "last_notice_s": round(done["notices_s"], 2) if done["notices_s"] else None,
                "last_email_s": round(done["emails_s"], 2) if done["emails_s"] else None,
                "notices_per_s": round(n / done["notices_s"], 1) if done["notices_s"] else None,
                "notices_and_emails_per_s": round(n / done["emails_s"], 1) if done["emails_s"] else None,
                "worker_cpu_ms_per_notice": round(cpu * 1000 / n, 2),
                "worker_cpu_share": round(cpu / done["emails_s"], 2) if done["emails_s"] else None,
                "profile": split,
                "loadavg_1m_before_after": [round(load_before, 2), round(load_after, 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
