from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    # The enterprise challenge list (揭榜领题). See docs/DESIGN.md for why it is its own app.
    name = "challenges"
    verbose_name = _("揭榜领题")
