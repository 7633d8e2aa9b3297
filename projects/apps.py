from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    # The Project that a selected challenge application and an awarded competition entry both
    # become, with its team, milestones and mentors. Below challenges/ and competitions/.
    name = "projects"
    verbose_name = _("项目")
