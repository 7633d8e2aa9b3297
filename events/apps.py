from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("活动")

    def ready(self):
        from accounts.services import personal_data_register
        from notifications.live import topic_register

        from . import notices, selectors, services
        from .live import authorize_event_topic

        # What events tells people and lends notifications (kinds, .ics attachments, reminders,
        # the "event" announcement target): declared here, not as a side effect of an import.
        notices.register()
        personal_data_register(exporter=selectors.personal_data_export, eraser=services.registrations_release_for_user)
        from .questions.services import answers_erase_for_user

        personal_data_register(eraser=answers_erase_for_user)
        topic_register("event", authorize_event_topic)
