"""Celery app. Broker is Redis when REDIS_URL is set; on the embedded default tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("boju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
