from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("产才对接")

    def ready(self):
        from accounts.services import personal_data_register
        from events.calendar import personal_feed_register
        from notifications.attachments import attachment_provider_register
        from notifications.live import topic_register
        from notifications.reminders import reminder_source_register

        from . import calendar, privacy
        from .live import authorize_meetings_topic
        from .notices import ICS_KINDS, kinds_register

        topic_register("meetings", authorize_meetings_topic)
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        personal_feed_register(calendar.personal_meetings)
        reminder_source_register(calendar.upcoming_meetings)
        for kind in ICS_KINDS:
            attachment_provider_register(kind, calendar.meeting_attachment)
        kinds_register()

        from events.demo_steps import demo_step_register

        demo_step_register("matchmaking", order=70, load=_demo_load)


def _demo_load(context) -> None:
    """Grids, interests and meetings of the four 产才对接 sessions."""
    from . import demo

    demo.load(head=context.head)
