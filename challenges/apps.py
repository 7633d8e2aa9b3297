from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    # The enterprise challenge list (揭榜领题). See docs/DESIGN.md for why it is its own app.
    name = "challenges"
    verbose_name = _("揭榜领题")

    def ready(self):
        from accounts.services import personal_data_register

        from . import notices, privacy

        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        notices.kinds_register()
        notices.reminders_register()
        from projects.services import team_change_guard_register

        from .services.applying import team_changes_guard

        team_change_guard_register(team_changes_guard)

        from events.demo_steps import demo_step_register

        demo_step_register("challenges", order=50, load=_demo_load, unload=_demo_unload)


def _demo_load(context) -> None:
    """About thirty enterprise challenges, applications and their projects."""
    from . import demo

    demo.load(head=context.head, series=context.series)


def _demo_unload(series) -> None:
    from . import demo

    demo.unload(series)  # challenges and their projects protect the series
