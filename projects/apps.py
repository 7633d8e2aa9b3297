from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    # The Project that a selected challenge application and an awarded competition entry both
    # become, with its team, milestones and mentors. Below challenges/ and competitions/.
    name = "projects"
    verbose_name = _("项目")

    def ready(self):
        from accounts.services import personal_data_register

        from . import notices, privacy

        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        notices.kinds_register()

        from events.demo_steps import demo_step_register

        demo_step_register("projects", order=5, unload=_demo_unload)


def _demo_unload(series) -> None:
    """Projects protect the series: those of awarded entries and those entered by hand."""
    from .models import Project

    Project.objects.filter(series=series).delete()
