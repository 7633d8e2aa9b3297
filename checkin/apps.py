from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    # QR tickets and scanning come with issue 3.
    name = "checkin"
    verbose_name = _("签到")
