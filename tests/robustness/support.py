"""Processes the fault tests start, stop and kill themselves: a Redis server of their own (never
the machine's shared one on 6379), a TCP proxy in front of PostgreSQL that can cut every
connection (the shared PostgreSQL is never restarted), and a Celery worker.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ..liveserver import ROOT, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class OwnRedis:
    """`redis-server --port <free>` without persistence, as a subprocess of the test."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("own redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """A restart loses everything (no persistence), like the outage in the issue."""
        self.stop()
        self.start()


@pytest.fixture
def own_redis():
    if not os.path.exists(REDIS_SERVER):
        from ..conftest import require

        require(False, f"needs redis-server at {REDIS_SERVER} (apt-get install redis-server)")
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


class TcpProxy:
    """127.0.0.1:<port> -> target. cut() closes every open connection at once (what clients see
    when PostgreSQL restarts) and refuses new ones until resume()."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.refusing = False
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)  # pooled connections sit idle for long: no read timeout
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass

    def close(self) -> None:
        self._stopped = True
        self.cut()
        self._server.close()


def start_worker(
    *, queue: str, broker_url: str, database_url: str, smtp_port: int | None = None, extra_env: dict | None = None
) -> tuple[subprocess.Popen, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "BOJU_EMAIL_RETRY_SECONDS": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(extra_env or {}),
    }
    if smtp_port:
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
        )
    log = open(Path(ROOT) / f".celery-{queue}-{time.monotonic_ns()}.log", "w+b")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}-{time.monotonic_ns()}@%h",
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


def stop_worker(process, log, *, kill: bool = False) -> str:
    if process.poll() is None:
        if kill:
            process.kill()
        else:
            process.terminate()
        process.wait(timeout=30)
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    log.close()
    os.unlink(log.name)
    return output


def celery_use_broker(app, url: str) -> None:
    """Point the Celery app of this process at `url` and forget its cached connection and
    producer pools (an earlier test's producer pool would otherwise keep publishing to the old
    broker). They are dropped, not closed: kombu shares them by URL with whoever uses it next."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
