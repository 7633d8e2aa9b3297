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

        from .demo_steps import demo_step_register

        # The demo steps of events' own parts, and of notifications, which imports no app (DESIGN §2).
        demo_step_register("questions", order=10, load=_demo_questions)
        demo_step_register("speakers", order=20, load=_demo_speakers)
        demo_step_register("announcement", order=90, load=_demo_announcement)


def _demo_questions(context) -> None:
    """Registration questions and answers."""
    from .questions import demo

    demo.load(head=context.head, event=context.events["forum-cross"])


def _demo_speakers(context) -> None:
    """The timetables' speakers and rooms as entities."""
    from .speakers import demo

    demo.load(event=context.events["forum-cross"])


def _demo_announcement(context) -> None:
    """An organizer's announcement to the first upcoming event with seats taken (inbox, banner, reach)."""
    from django.utils import timezone

    from notifications import demo

    upcoming = sorted((e for e in context.events.values() if e.starts_at > timezone.now()), key=lambda e: e.starts_at)
    demo.load(actor=context.head, event_ids=[e.pk for e in upcoming])
