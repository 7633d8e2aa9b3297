"""Celery app. Broker is Redis when REDIS_URL is set; on the embedded default tasks run inline."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("boju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Celery's Django fixup closes every database connection before and after each task and, with
# Django's psycopg pool (DATABASE_POOL_MAX, set for every unit in deploy/) in a prefork child,
# also builds a new pool only to close it (DatabaseWrapper.pool creates one on access): two
# pools and a PostgreSQL connection per task, about a tenth of the worker's time in a
# registration burst (bench/notices.py). CELERY_DB_REUSE_MAX (settings) makes the fixup do
# that only every N tasks; in between, each task starts and ends the way Django starts and ends
# a request: a connection that failed, is obsolete (CONN_MAX_AGE) or outside autocommit is
# closed (returned to the pool), and CONN_HEALTH_CHECKS checks a kept one before it is reused.
@task_prerun.connect
@task_postrun.connect
def _database_connections_recycle(sender=None, **kwargs):
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # inline: the caller's connection and transaction, not the task's
    from django.db import close_old_connections

    close_old_connections()
