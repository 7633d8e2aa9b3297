from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    # Competitions and project selection: entries, rounds, judges, scores, the live final, awards.
    name = "competitions"
    verbose_name = _("创新创业大赛")
