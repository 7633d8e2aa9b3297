from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    # The series' targets, outcomes, the talent journey, dashboards and the monthly report.
    # It reads every app (it counts) and no app imports it.
    name = "programme"
    verbose_name = _("年度目标")
