"""SQLite, the embedded default, has no SELECT ... FOR UPDATE: the seat count is kept safe by
one writer at a time (every transaction begins IMMEDIATE, with a busy timeout; config/settings.py).
This proves that claim on a real SQLite file with real threads, whatever database the rest of the
suite runs on, and shows with a negative control that without it the same race goes wrong.

Each case runs in a subprocess of its own (its own settings, its own copy of one SQLite file
migrated once for the module), so the module costs ~15 s: one of the slower tests, said here.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEATS_LEFT, RACERS = 3, 12

SCRIPT = r"""
import json, os, sys, threading
import django
django.setup()
from django.db import connections
from events.models import Event, Registration
from events.services import registration as registration_module
from events.services import registration_create
from tests.factories import EventFactory, RegistrationFactory, candidate

seats_left, racers = int(sys.argv[1]), int(sys.argv[2])
if os.environ.get("RACE_UNLOCKED") == "1":
    # The negative control: a plain read instead of the locking UPDATE, with deferred
    # transactions that take no lock up front, and every racer counting the seats before any
    # of them writes (a barrier: a 50 ms pause here depended on the machine's load).
    from tests.events.race_support import lock_event_unlocked
    registration_module._lock_event = lock_event_unlocked
    count = registration_module._seat_counts
    all_counted = threading.Barrier(racers, timeout=30)
    def count_then_wait(event, user=None):
        counts = count(event, user)
        all_counted.wait()
        return counts
    registration_module._seat_counts = count_then_wait
event = EventFactory(capacity=10)
RegistrationFactory.create_batch(10 - seats_left, event=event, status="confirmed")
users = [candidate() for _ in range(racers)]
connections.close_all()
barrier = threading.Barrier(racers)
errors = []
def run(user):
    try:
        barrier.wait(timeout=30)
        registration_create(event=event, user=user)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()
threads = [threading.Thread(target=run, args=(u,)) for u in users]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
rows = Registration.objects.filter(event=event)
print(json.dumps({"confirmed": rows.filter(status="confirmed").count(),
                  "waitlisted": rows.filter(status="waitlisted").count(), "errors": sorted(errors)}))
"""


def _env(path: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REDIS_URL", None)  # the embedded default: no Redis either
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-race") / "migrated.sqlite3"
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=_env(path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return path


def race(migrated: Path, tmp_path: Path, *, unlocked: bool) -> dict:
    path = tmp_path / "race.sqlite3"
    shutil.copyfile(migrated, path)
    env = {**_env(path), "RACE_UNLOCKED": "1" if unlocked else "0"}
    if unlocked:
        env["BOJU_SQLITE_TRANSACTION_MODE"] = "DEFERRED"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SEATS_LEFT), str(RACERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sqlite_threads_racing_for_the_last_seats_never_overbook(migrated, tmp_path):
    outcome = race(migrated, tmp_path, unlocked=False)
    assert outcome == {"confirmed": 10, "waitlisted": RACERS - SEATS_LEFT, "errors": []}


def test_negative_control_sqlite_without_one_writer_at_a_time_goes_wrong(migrated, tmp_path):
    outcome = race(migrated, tmp_path, unlocked=True)
    # All twelve counted the seats before any wrote, each in a deferred transaction holding a WAL
    # read snapshot. SQLite lets only one of them write: the others, their snapshot now stale,
    # fail with "database is locked" instead of getting a seat or a place on the waiting list.
    # (Overbooking cannot happen here: a transaction that read before another's commit cannot
    # write.) The IMMEDIATE transactions of the test above take the write lock first and answer all.
    assert outcome == {
        "confirmed": 10 - SEATS_LEFT + 1,
        "waitlisted": 0,
        "errors": ["OperationalError: database is locked"] * (RACERS - 1),
    }, outcome
