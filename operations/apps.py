from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    # What the people who run Boju need: health and readiness probes, backup and restore.
    # No models; nothing else imports it.
    name = "operations"
    verbose_name = _("运维")
