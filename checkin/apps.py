from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("签到")

    def ready(self):
        from notifications.attachments import attachment_provider_register

        from .attachments import ticket_attachment

        # The confirmation e-mail carries the QR (notifications imports no app: we register).
        for kind in ("registration.confirmed", "registration.promoted"):
            attachment_provider_register(kind, ticket_attachment)
