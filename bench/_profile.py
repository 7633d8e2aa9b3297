"""Where a running server's CPU goes: py-spy samples its worker processes, the stacks are
sorted into the parts of a request the issue asks about (middleware, session, templates,
notices, live push, database...), and the bench prints the shares.

py-spy (requirements-dev.txt) reads the processes from outside (ptrace), so the server runs
unchanged; `--nonblocking` keeps it from pausing them, so it disturbs the latencies of the
profiled run only a little. `--gil`: only stacks that hold the GIL, i.e. Python work on the
CPU, not threads waiting for the lock, PostgreSQL or Redis. Not available (no py-spy, no ptrace): the bench
prints `null` for the split instead of failing.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# Checked in this order against the whole stack (root to leaf, ';'-joined): the first part that
# matches takes the sample. Specific parts first, so a query run by the session store counts as
# the session, and a query run by the service as the service.
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("notices_outbox", ("notifications/services.py", "notifications/outbox.py", "events/notices.py")),
    # A push's way to the open pages, in the server process that holds their sockets: the
    # channel layer's receive, the consumer, the WebSocket frame (the sending side is live_push).
    (
        "live_fanout",
        (
            "config/channel_layer.py",
            "notifications/consumers.py",
            "channels/consumer.py",
            "channels/generic/",
            "channels/utils.py",
            "websockets",
        ),
    ),
    (
        "live_push",
        (
            "notifications/live.py",
            "channels_redis",
            "channels/layers",
            "events/services/live.py",
            "events/selectors.py",
        ),
    ),
    ("templates", ("django/template/",)),
    ("session", ("django/contrib/sessions/",)),
    ("messages", ("django/contrib/messages/",)),
    ("audit_log", ("accounts/services",)),
    ("registration_service", ("events/services/registration.py",)),
    ("view", ("events/views/",)),
    # After the view: login_required wraps it, so only what runs outside the view counts here
    # (the user's query and session hash check behind request.user).
    ("auth_user", ("django/contrib/auth/",)),
    ("csrf", ("django/middleware/csrf.py",)),
    (
        "middleware",
        (
            "django/middleware/",
            "config/middleware.py",
            "config/dbfaults.py",
            "csp/",
            "allauth/",
            "whitenoise/",
            "accounts/social.py",
            "django/utils/deprecation.py",
        ),
    ),
    ("django_handler", ("django/core/handlers/", "django/urls/", "django/http/", "asgiref/")),
    ("server_loop", ("uvicorn/", "httptools", "h11", "asyncio/", "uvloop", "concurrent/futures", "threading.py")),
]
DATABASE = ("psycopg", "django/db/")


def _exe() -> str | None:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


def start_many(pids: list[int]) -> list[tuple[subprocess.Popen, Path]] | None:
    """Sample each worker process (one py-spy each) until stop_many()."""
    exe = _exe()
    if exe is None:
        return None
    handles = []
    for pid in pids:
        out = Path(tempfile.mkdtemp(prefix="boju-pyspy-")) / "stacks.txt"
        process = subprocess.Popen(
            [
                exe,
                "record",
                "--pid",
                str(pid),
                "--nonblocking",
                "--gil",
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        handles.append((process, out))
    return handles


def stop_many(handles: list[tuple[subprocess.Popen, Path]] | None) -> dict | None:
    """End the sampling; {part: share of the workers' samples}, the database's share across all
    parts (`database_any`), the sample count, and the raw stacks' files (`stacks`, for a closer
    look). None when py-spy could not sample."""
    if not handles:
        return None
    lines: list[str] = []
    for process, out in handles:
        process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if out.exists():
            lines += out.read_text().splitlines()
    return {**split(lines), "stacks": [str(out) for _process, out in handles]} if lines else None


def split(lines: list[str]) -> dict:
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    database = total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        part = next((name for name, needles in PARTS if any(needle in stack for needle in needles)), "other")
        parts[part] += n
        leaves[_leaf(stack)] += n
        if any(needle in stack for needle in DATABASE):
            database += n
    if not total:
        return {"samples": 0}
    shares = {name: round(parts[name] / total, 3) for name, _ in [*PARTS, ("other", ())] if parts[name]}
    return {
        "samples": total,
        "shares": dict(sorted(shares.items(), key=lambda kv: -kv[1])),
        "database_any": round(database / total, 3),
        # The innermost frames of this project or Django (where the time is spent itself).
        "top_frames": {frame: round(n / total, 3) for frame, n in leaves.most_common(12)},
    }


def _leaf(stack: str) -> str:
    frames = stack.split(";")
    for frame in reversed(frames):
        if "site-packages" not in frame or "/django/" in frame:
            return _short(frame)
    return _short(frames[-1])


def _short(frame: str) -> str:
    """`function (path/file.py:line)` with the path cut after site-packages / the repo."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for cut in ("site-packages/", "/rush/", "/main/"):
        if cut in where:
            where = where.split(cut, 1)[1]
    return f"{name} ({where})"
