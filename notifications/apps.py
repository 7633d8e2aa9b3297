from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from . import announcements  # noqa: F401  (registers the live topic kind "notice")
        from .kinds import kind_register

        # Announcements are this app's own feature; every other kind is declared by its app.
        kind_register("announcement", label=_("主办方公告"), email_default=True, audience="all", order=40)
