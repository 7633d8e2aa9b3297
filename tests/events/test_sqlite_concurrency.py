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
import json, os, sys, threading, time
import django
django.setup()
from django.db import connections
from events.models import Event, Registration
from events.services import registration as registration_module
from events.services import registration_create
from tests.factories import EventFactory, RegistrationFactory, candidate

seats_left, racers = int(sys.argv[1]), int(sys.argv[2])
if os.environ.get("RACE_UNLOCKED") == "1":
    # The negative control: a plain read instead of the locking UPDATE, and a pause after the
    # count (a busy machine's window), with deferred transactions that take no lock up front.
    registration_module._lock_event = lambda pk, user=None: Event.objects.get(pk=pk)
    count = registration_module._seat_counts
    def count_then_dawdle(event, user=None):
        counts = count(event, user)
        time.sleep(0.05)
        return counts
    registration_module._seat_counts = count_then_dawdle
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
        errors.append(type(error).__name__)
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
    # Either seats are overbooked or writers collide ("database is locked"): both are what the
    # IMMEDIATE transactions and the locking UPDATE prevent in the test above.
    assert outcome["confirmed"] > 10 or outcome["errors"], outcome
