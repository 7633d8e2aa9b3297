"""Liveness and readiness probes for the proxy, systemd and orchestrators.

/healthz answers from the process alone: if it answers, the worker is alive (restart it
otherwise). /readyz asks each service the site needs, with a short timeout each, and answers
503 when one is down, so a load balancer stops sending traffic to a host that cannot serve.
A component that is not configured (no Redis on the embedded default) is reported as
"not_configured" and does not fail the probe.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

TIMEOUT_S = 1.0


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not_configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _celery() -> str:
    from config.celery import app

    if app.conf.task_always_eager:
        return "not_configured"  # tasks run inline: there is no worker to ask
    replies = app.control.ping(timeout=TIMEOUT_S)
    return "ok" if replies else "no_worker"


CHECKS = {"database": _database, "redis": _redis, "celery": _celery}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    components = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            state = check()
        except Exception as error:
            state = f"down: {type(error).__name__}"
        components[name] = {"status": state, "ms": round((time.perf_counter() - started) * 1000, 1)}
    ready = all(c["status"] in ("ok", "not_configured") for c in components.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "components": components}, status=200 if ready else 503
    )
