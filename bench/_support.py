"""Shared pieces of the benchmarks: Django set-up, a production-like server, timing figures."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The sessions the benchmark writes must be readable by the server it starts: one key for both.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    import django

    django.setup()
    from django.core.management import call_command

    # A fresh database works as it is: migrating one that is up to date costs about a second.
    call_command("migrate", verbosity=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(*, workers: int, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """uvicorn with several worker processes in production mode, on this machine's services."""
    port = port or free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS terminator in front of the benchmark
        "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", "10"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the server exited before it was ready") from None
            time.sleep(0.2)
    time.sleep(1.0)  # let every worker finish importing before the burst
    return process, f"http://127.0.0.1:{port}"


def start_celery_worker(*, queue: str, concurrency: int = 1) -> subprocess.Popen:
    """A real Celery worker in production mode on its own queue: the work a request causes
    (notices, e-mails) then counts in the figures instead of piling up in Redis unseen.
    Give the server the same CELERY_TASK_DEFAULT_QUEUE (os.environ) so its tasks come here."""
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # The bench measures writing the notices, not an SMTP server: e-mail goes nowhere.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # As deployed (deploy/boju.env.example is read by every unit, the worker's too): without
        # it the worker opened a PostgreSQL connection per task, 8-13% of its time in a burst.
        "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", "10"),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def login_sessions(users, *, hours: int = 2) -> list[str]:
    """Logged-in database sessions for `users`, bulk-created; their keys, in the same order.

    Benchmarks log hundreds of people in at once; the login view (and its password hash)
    would dominate the set-up. Call after django_setup().
    """
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expiry = timezone.now() + timedelta(hours=hours)
    sessions = []
    for user in users:
        store = SessionStore()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=store._get_new_session_key(), session_data=store.encode(data), expire_date=expiry)
        )
    Session.objects.bulk_create(sessions, batch_size=500)
    from django.conf import settings

    if settings.SESSION_ENGINE.endswith("cached_db"):
        # A real login saves the session through the cache as well; so do these.
        from django.contrib.sessions.backends.cached_db import SessionStore as CachedStore
        from django.core.cache import caches

        data = {
            CachedStore(session_key=s.session_key).cache_key: SessionStore().decode(s.session_data) for s in sessions
        }
        caches[settings.SESSION_CACHE_ALIAS].set_many(data, timeout=hours * 3600)
    return [s.session_key for s in sessions]


def http_client(base_url: str, *, concurrency: int, headers: dict | None = None):
    """The load generator's HTTP client: aiohttp, keep-alive, `concurrency` connections.

    The benchmarks share two cores with the server they measure, so the client must be cheap:
    aiohttp's C parser costs a fraction of a millisecond per request where httpx costs about
    1.8 ms of CPU, which at a few hundred requests a second would take most of a core away
    from the server. Responses are read in full inside `async with client.post(...)`.
    """
    import aiohttp

    return aiohttp.ClientSession(
        base_url=base_url,
        headers=headers or {},
        connector=aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, force_close=False),
        timeout=aiohttp.ClientTimeout(total=30),
        # Cookies are set per request (one person per request), never kept between requests.
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def process_tree_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by `pid` and its children, from /proc (Linux).

    CPU per request is the figure that other load on the machine disturbs least: a benchmark
    prints it beside the latencies so a noisy run can still be compared with a quiet one.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    proc = Path("/proc")
    if not proc.exists():
        return None
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            total += int(stats[current][11]) + int(stats[current][12])  # utime, stime
        todo.extend(children.get(current, []))
    return total / ticks


def worker_pids(pid: int) -> list[int]:
    """The uvicorn workers: children of the supervisor that are Python processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid and b"spawn_main" in cmdline:
                found.append(int(entry.name))
    return sorted(found) or [pid]
