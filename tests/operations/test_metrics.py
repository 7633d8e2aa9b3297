"""/metrics: the operators' figures, only for the monitoring network or a token, added up over
every worker process of a host; and JSON logs whose request id reaches the Celery tasks."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import websockets.sync.client
from django.utils import timezone

from checkin.models import Scan
from config.celery import app as celery_app
from notifications.models import OutboxMessage

from ..factories import EventFactory, RegistrationFactory, candidate
from ..liveserver import test_database_url as database_url

ROOT = Path(__file__).resolve().parents[2]


def _sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus' text format (None if absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        got = ",".join(sorted(part for part in re.findall(r'\w+="[^"]*"', match.group(2) or "")))
        if got == want:
            return float(match.group(3))
    return None


@pytest.mark.django_db
def test_metrics_refused_outside_the_monitoring_network(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.9.0.0/24"]
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not in the list now
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")
    assert response.status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.0.7").status_code == 200


@pytest.mark.django_db
def test_metrics_show_requests_by_view_and_the_platform_figures(client, settings):
    settings.REDIS_URL = ""
    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, user=candidate(), status="waitlisted")
    old = timezone.now() - timezone.timedelta(minutes=7)
    OutboxMessage.objects.create(kind=OutboxMessage.Kind.choices[0][0], created_at=old)
    now = timezone.now()
    for i, (result, received) in enumerate([("ok", now), ("ok", now), ("invalid", now), ("ok", old)]):
        Scan.objects.create(nonce=f"u1:{i}", event=event, result=result, scanned_at=received, received_at=received)
    before = (
        _sample(
            client.get("/metrics").content.decode(),
            "django_http_requests_total_by_view_transport_method_total",
            view="operations:healthz",
            transport="http",
            method="GET",
        )
        or 0
    )
    for _ in range(3):
        client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert (
        _sample(
            text,
            "django_http_requests_total_by_view_transport_method_total",
            view="operations:healthz",
            transport="http",
            method="GET",
        )
        == before + 3
    )
    assert (
        _sample(
            text, "django_http_requests_latency_seconds_by_view_method_count", view="operations:healthz", method="GET"
        )
        >= 3
    )
    assert _sample(text, "boju_registrations", status="confirmed") == 3
    assert _sample(text, "boju_registrations", status="waitlisted") == 1
    assert _sample(text, "boju_outbox_pending") == 1
    assert 400 <= _sample(text, "boju_outbox_oldest_pending_age_seconds") < 600
    assert _sample(text, "boju_checkins_total") == 0
    # Scans of the last five minutes by result (the one seven minutes old is not counted).
    assert (_sample(text, "boju_scans_recent", result="ok"), _sample(text, "boju_scans_recent", result="invalid")) == (
        2,
        1,
    )
    assert _sample(text, "boju_metrics_source_up", source="database") == 1


@pytest.mark.django_db
def test_celery_queue_length_is_read_from_the_broker(client, settings, redis_url):
    import redis

    queue = f"boju-metrics-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.rpush(queue, "a", "b", "c", "d")
        text = client.get("/metrics").content.decode()
        assert _sample(text, "boju_celery_queue_length", queue=queue) == 4
        assert _sample(text, "boju_metrics_source_up", source="redis") == 1
    finally:
        broker.delete(queue)
        broker.close()


def test_several_worker_processes_add_up(postgres, redis_url, asgi_server_factory, tmp_path):
    """Two uvicorn workers behind one port: whichever served a request, one scrape counts them
    all, and an open WebSocket is counted until it closes."""
    server = asgi_server_factory(redis_url=redis_url, workers=2, extra_env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    served = set()
    for _ in range(40):
        with httpx.Client(base_url=server.url, timeout=10) as http:  # a new connection each time
            response = http.get("/healthz")
            assert response.status_code == 200
    for path in tmp_path.glob("counter_*.db"):
        served.add(path.stem.rsplit("_", 1)[1])
    assert len(served) == 2, "both workers should have served (and written their own counters)"
    with httpx.Client(base_url=server.url, timeout=10) as http:
        text = http.get("/metrics").text
        assert (
            _sample(
                text,
                "django_http_requests_total_by_view_transport_method_total",
                view="operations:healthz",
                transport="http",
                method="GET",
            )
            == 40
        )
        assert _sample(text, "boju_websocket_connections") == 0
        with websockets.sync.client.connect(
            f"{server.ws_url}/ws/live/?topics=", additional_headers={"Origin": server.url}
        ) as socket:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                value = _sample(http.get("/metrics").text, "boju_websocket_connections")
                if value == 1:
                    break
                time.sleep(0.2)
            assert value == 1
            socket.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _sample(http.get("/metrics").text, "boju_websocket_connections"):
            time.sleep(0.2)
        assert _sample(http.get("/metrics").text, "boju_websocket_connections") == 0


def test_request_id_reaches_the_log_lines_of_the_task_it_started(postgres, redis_url, client, tmp_path):
    """A registration sent with nginx's X-Request-ID: the response echoes it, and the real
    worker's JSON log lines of the task the registration queued (and of the e-mail task that
    task queued in turn) carry it."""
    queue = f"boju-test-{uuid.uuid4().hex[:8]}"
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    event = EventFactory(title="智聚博坛")
    person = candidate()
    client.force_login(person)
    request_id = uuid.uuid4().hex
    try:
        response = client.post(f"/events/{event.pk}/register/", HTTP_X_REQUEST_ID=request_id)
        assert response["X-Request-ID"] == request_id
        assert response.status_code in (200, 302), response.content[:500]
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = before
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "INFO",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
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
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                lines = _json_lines(log_path)
                names = {line.get("task_name") for line in lines if line.get("request_id") == request_id}
                if any(name and "email" in name for name in names):
                    break
                time.sleep(0.3)
        finally:
            process.terminate()
            process.wait(timeout=20)
    lines = _json_lines(log_path)
    ours = [line for line in lines if line.get("request_id") == request_id]
    assert ours, log_path.read_text()[-3000:]
    names = {line.get("task_name") for line in ours}
    # The task the request queued, and the e-mail task that one queued in the worker.
    assert len(names - {None}) >= 2 and any(name and "email" in name for name in names), names
    # Every line is one JSON object with the same fields.
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)


def _json_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def test_uvicorn_log_config_writes_json_lines(capsys):
    """deploy/uvicorn-logging.json (the web unit's --log-config): uvicorn's own lines are JSON too."""
    import logging
    import logging.config

    config = json.loads((ROOT / "deploy" / "uvicorn-logging.json").read_text(encoding="utf-8"))
    logger = logging.getLogger("uvicorn.error")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        logging.config.dictConfig(config)
        logger.info("Started server process [%d]", 42)
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        logger.handlers, logger.level, logger.propagate = saved
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "uvicorn.error", "Started server process [42]")
    assert line["time"].endswith("+00:00")
