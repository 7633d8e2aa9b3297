from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    # Competitions and project selection: entries, rounds, judges, scores, the live final, awards.
    name = "competitions"
    verbose_name = _("创新创业大赛")

    def ready(self):
        from accounts.services import personal_data_register
        from notifications.live import topic_register

        from . import privacy
        from .live import authorize_competition_topic
        from .notices import kinds_register

        topic_register("competition", authorize_competition_topic)
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        kinds_register()
        from projects.services import team_change_guard_register

        from .services.entries import team_changes_guard

        team_change_guard_register(team_changes_guard)

        from events.demo_steps import demo_step_register

        demo_step_register("competitions", order=60, load=_demo_load)


def _demo_load(context) -> None:
    """The 人才招引赛: entries, judges, two rounds done, a final."""
    from . import demo

    demo.load(head=context.head, user=context.user)
