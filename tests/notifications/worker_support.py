"""A real Celery worker for the tests: a subprocess started against the real Redis broker
(REDIS_URL) and the real PostgreSQL test database, on a queue of the test's own, with a real
SMTP server (aiosmtpd) for the e-mails. Also reads what the code put into Redis, so a test can
check what production hands to the broker without a worker."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from config.celery import app as celery_app

from ..liveserver import ROOT, free_port
from ..liveserver import test_database_url as database_url


class Handler:
    """An SMTP server's DATA handler. refuse_first: the first DATA gets a 451 (try again later),
    so a worker's retry is exercised; every other message is accepted and kept."""

    def __init__(self, *, refuse_first: bool = False):
        self.refused = 0 if refuse_first else 1
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        if self.refused == 0:
            self.refused += 1
            return "451 Requested action aborted: local error in processing"
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"


def smtp_controller(handler):
    import aiosmtpd.controller as aiosmtpd  # a test dependency: missing is an error, never a skip

    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def worker_queue(redis_url):
    """A queue of this test's own, so tasks left in Redis by other tests are not picked up.
    Tasks are sent to Redis (not run inline) while the fixture is active."""
    queue = f"boju-test-{uuid.uuid4().hex[:8]}"
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = before
    _redis(redis_url).delete(queue)


def _redis(redis_url):
    import redis

    return redis.Redis.from_url(redis_url)


def queued(redis_url: str, queue: str) -> list[tuple[str, list, dict]]:
    """The tasks waiting in `queue` in Redis, oldest first: (task name, args, kwargs), decoded
    as the worker will decode them (kombu's Redis transport: a JSON envelope, base64 body)."""
    tasks = []
    for raw in reversed(_redis(redis_url).lrange(queue, 0, -1)):  # LPUSH: newest first
        envelope = json.loads(raw)
        assert envelope["content-type"] == "application/json", envelope["content-type"]
        body = envelope["body"]
        if envelope["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _embed = json.loads(body)
        tasks.append((envelope["headers"]["task"], args, kwargs))
    return tasks


def start_worker(queue: str, redis_url: str, smtp_port: int | None = None, *, prefork: bool = False, **environ):
    """`celery -A config worker` on `queue`, one process (solo pool; or, with `prefork`, the
    deployed pool with one child), output to a log file. `environ`: more environment variables."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "BOJU_EMAIL_RETRY_SECONDS": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker queues itself come back to it
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **environ,
    }
    if smtp_port is None:
        env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    else:
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
        )
    log = open(ROOT / f".celery-{queue}.log", "w+b")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork" if prefork else "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def run_worker_until(process, log, done, timeout=45.0, settle=1.5) -> str:
    """Wait for done() (polled), then `settle` seconds more (a duplicate would arrive now, if the
    worker sent one); stop the worker and return its output."""
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done():
            if process.poll() is not None:
                break
            time.sleep(0.2)
        time.sleep(settle)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
        log.close()
        os.unlink(log.name)
    return output
