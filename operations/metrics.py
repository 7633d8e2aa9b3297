"""Prometheus metrics at /metrics, for the operators' monitoring only.

Two kinds of figures:
- per request, per view (django-prometheus's middleware): counts, latency histograms, statuses;
  and the open WebSocket connections (counted around the WebSocket app, config/asgi.py);
- the platform's own, read from PostgreSQL and Redis when Prometheus scrapes (one small query
  each): registrations by status, check-ins, door scans of the last five minutes by result,
  the outbox backlog and the age of its oldest pending message, the Celery queue length.
  Reading them at scrape time means they are right whichever process or host did the work, and
  a restart loses nothing.

Several uvicorn worker processes: with PROMETHEUS_MULTIPROC_DIR set (the systemd unit does; the
folder is emptied when the unit starts), every process writes its figures to files there and
this view adds them up, so one scrape of a host covers all its workers. Prometheus scrapes each
app host directly (host:8000/metrics); nginx refuses /metrics from outside.

Access: only from METRICS_ALLOWED_NETWORKS (the monitoring host's network, loopback by default)
or with `Authorization: Bearer <METRICS_TOKEN>`. Anyone else gets a 404, as if there were no
such page.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import os
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

# Open WebSockets of this process; "livesum": the figure of the live processes added up.
WEBSOCKETS_OPEN = Gauge("boju_websocket_connections", "Open WebSocket connections", multiprocess_mode="livesum")

SCAN_WINDOW_S = 300
SCAN_LOOKBACK = 20_000


def allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


class PlatformCollector:
    """The figures an operator watches, read at scrape time. A failing source is left out of the
    answer (and `boju_metrics_source_up` says which), so one outage does not hide the rest."""

    def collect(self):
        up = GaugeMetricFamily("boju_metrics_source_up", "1 if the source answered this scrape", labels=["source"])
        for source, read in (("database", self._database), ("redis", self._redis)):
            try:
                families = list(read())
            except Exception:
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _database(self):
        registrations = GaugeMetricFamily("boju_registrations", "Registrations by status", labels=["status"])
        checkins = CounterMetricFamily("boju_checkins", "Check-ins recorded (one per ticket and list)")
        scans = GaugeMetricFamily(
            "boju_scans_recent", f"Door scans received in the last {SCAN_WINDOW_S} s by result", labels=["result"]
        )
        backlog = GaugeMetricFamily("boju_outbox_pending", "Outbox messages not yet confirmed by a worker")
        lag = GaugeMetricFamily("boju_outbox_oldest_pending_age_seconds", "Age of the oldest pending outbox message")
        from django.db.models import Count, Min

        from checkin.models import Checkin, Scan
        from events.models import Registration
        from notifications.models import OutboxMessage

        for row in Registration.objects.order_by().values("status").annotate(n=Count("id")):
            registrations.add_metric([row["status"]], row["n"])
        checkins.add_metric([], Checkin.objects.count())
        since = timezone.now() - datetime.timedelta(seconds=SCAN_WINDOW_S)
        # Among the newest SCAN_LOOKBACK scans only (walked backwards on the primary key), so a
        # scrape stays cheap however many scans the table holds; above SCAN_LOOKBACK scans in
        # the window (over 60 a second for five minutes) the figures are a floor.
        newest = Scan.objects.order_by("-id").values("id")[:SCAN_LOOKBACK]
        recent = Scan.objects.filter(id__in=newest, received_at__gte=since)
        for row in recent.order_by().values("result").annotate(n=Count("id")):
            scans.add_metric([row["result"]], row["n"])
        # The partial index outbox_pending covers this (status = 'pending').
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(
            n=Count("id"), oldest=Min("created_at")
        )
        backlog.add_metric([], pending["n"])
        oldest = pending["oldest"]
        lag.add_metric([], max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0)
        return [registrations, checkins, scans, backlog, lag]

    def _redis(self):
        if not settings.REDIS_URL:
            return []
        import redis

        queue = GaugeMetricFamily("boju_celery_queue_length", "Tasks waiting in the Celery queue", labels=["queue"])
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
        try:
            name = settings.CELERY_TASK_DEFAULT_QUEUE
            queue.add_metric([name], client.llen(name))
        finally:
            client.close()
        return [queue]


def _forget_dead_processes() -> None:
    """Drop the live gauges of worker processes that are gone (a killed worker's open sockets
    are not open any more). Counters and histograms of dead processes stay: they happened."""
    for path in Path(MULTIPROC_DIR).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, MULTIPROC_DIR)
        except PermissionError:
            pass


@never_cache
@require_GET
def metrics(request):
    if not allowed(request):
        raise Http404
    registry = CollectorRegistry()
    registry.register(PlatformCollector())
    if MULTIPROC_DIR:
        _forget_dead_processes()
        multiprocess.MultiProcessCollector(registry, MULTIPROC_DIR)
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY) + generate_latest(registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class WebSocketGauge:
    """ASGI middleware around the WebSocket app: counts sockets from their accept to their end."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        accepted = False

        async def counting_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKETS_OPEN.inc()
            await send(message)

        try:
            return await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                WEBSOCKETS_OPEN.dec()
