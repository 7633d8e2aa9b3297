"""Probes at the site root: /healthz (alive), /readyz (ready to serve), /metrics (Prometheus)."""

from django.urls import path

from . import health, metrics

app_name = "operations"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
