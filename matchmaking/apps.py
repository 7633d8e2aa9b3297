from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    # 1:1 meetings and company challenges come in a later issue.
    name = "matchmaking"
    verbose_name = _("产才对接")
