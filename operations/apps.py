from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    # What the people who run Boju need: health and readiness probes, metrics,
    # JSON logs with a request id, backup and restore.
    # No models; nothing else imports it.
    name = "operations"
    verbose_name = _("运维")

    def ready(self):
        # The request id travels with the Celery tasks a request starts (operations/logs.py).
        from .logs import celery_signals_connect

        celery_signals_connect()
