from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("签到")

    def ready(self):
        from accounts.services import personal_data_register
        from notifications.announcements import announcement_segment_register
        from notifications.attachments import attachment_provider_register

        from . import privacy
        from .attachments import ticket_attachment
        from .audience import checked_in_user_ids, is_checked_in

        # The confirmation e-mail carries the QR (notifications imports no app: we register).
        for kind in ("registration.confirmed", "registration.promoted"):
            attachment_provider_register(kind, ticket_attachment)
        # Announcements "to those checked in" (issue 5): the segment is ours to define.
        announcement_segment_register(
            "event", "checked_in", label=_("已签到入场"), order=20, resolve=checked_in_user_ids, member=is_checked_in
        )
        # The personal-data export covers tickets, check-ins and scans (issue 17).
        personal_data_register(exporter=privacy.personal_data_export)

        from events.demo_steps import demo_step_register

        demo_step_register("checkin", order=40, load=_demo_load)


def _demo_load(context) -> None:
    """Tickets, a paired scanner, check-ins at the demo's past events."""
    from . import demo

    demo.load(head=context.head, series=context.series)
