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
