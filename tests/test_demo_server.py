"""What `make run` prints: each request logged once, no kombu warning, the real port in the banner."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def embedded_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "BOJU_SITE_URL") and not k.startswith("DJANGO_")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runserver_prints_each_request_once(tmp_path):
    port = free_port()
    env = embedded_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # A static file: served without the database, which this server has not migrated.
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/boju.css", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
                time.sleep(0.3)
        time.sleep(1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count("GET /static/css/boju.css") == 1, output


def test_the_embedded_broker_names_a_host_so_kombu_does_not_warn():
    code = (
        "import django; django.setup(); from config.celery import app; "
        "conn = app.connection_for_write(); print(conn.as_uri()); conn.info()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=embedded_env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("memory://")
    assert "No hostname was supplied" not in out.stdout + out.stderr
    # The control: without a host kombu does warn, so the assertion above can fail.
    bare = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=embedded_env(CELERY_BROKER_URL="memory://"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "No hostname was supplied" in bare.stdout + bare.stderr


def test_make_run_hands_the_port_to_the_banner(tmp_path):
    """`PORT=8101 make run`: load_demo (its banner) and the server both see BOJU_SITE_URL on port 8101.

    A stand-in python in a stand-in venv records each command with the BOJU_SITE_URL it was given."""
    log = tmp_path / "calls.log"
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "python"
    fake.write_text(f'#!/bin/sh\necho "$BOJU_SITE_URL $*" >> {log}\n')
    fake.chmod(0o755)
    (tmp_path / ".installed").touch()
    env = embedded_env(PORT="8101")
    out = subprocess.run(
        ["make", "-s", "run", f"VENV={tmp_path}", f"BIN={tmp_path}/bin"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    calls = log.read_text().splitlines()
    assert "http://127.0.0.1:8101 manage.py load_demo" in calls
    assert "http://127.0.0.1:8101 manage.py runserver 127.0.0.1:8101" in calls
