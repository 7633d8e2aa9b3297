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
