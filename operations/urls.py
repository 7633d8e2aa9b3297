"""Probes at the site root: /healthz (alive) and /readyz (ready to serve)."""

from django.urls import path

from . import health

app_name = "operations"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
