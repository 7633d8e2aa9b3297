from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    # The series' targets, outcomes, the talent journey, dashboards and the monthly report.
    # It reads every app (it counts) and no app imports it: it listens to their signals.
    name = "programme"
    verbose_name = _("年度目标")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import CandidateProfile
        from accounts.services import personal_data_register
        from checkin.signals import checkins_recorded
        from events.models import Series
        from notifications.live import topic_register
        from projects.signals import project_changed

        from . import notices, privacy
        from .counting.nudge import nudge
        from .counting.origin import on_profile_saved
        from .live import authorize_programme_topic

        topic_register("programme", authorize_programme_topic)
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        notices.kinds_register()
        checkins_recorded.connect(nudge, dispatch_uid="programme.nudge.checkin")
        project_changed.connect(_project_changed, dispatch_uid="programme.nudge.project")
        post_save.connect(on_profile_saved, sender=CandidateProfile, dispatch_uid="programme.origin")
        # The public page's cached copies carry the series' title and are found by its slug.
        post_save.connect(_series_changed, sender=Series, dispatch_uid="programme.series.saved")
        post_delete.connect(_series_changed, sender=Series, dispatch_uid="programme.series.deleted")

        from events.demo_steps import demo_step_register

        demo_step_register("programme", order=80, load=_demo_load, unload=_demo_unload)


def _project_changed(sender, *, created: bool = False, **kwargs) -> None:
    if created:  # a status change does not change what is counted (a signed project stays signed)
        from .counting.nudge import nudge_project

        nudge_project()


def _series_changed(sender, *, instance, **kwargs) -> None:
    from django.db import transaction

    from .selectors.cached import figures_changed

    transaction.on_commit(lambda pk=instance.pk: figures_changed(pk))


def _demo_load(context) -> None:
    """Targets, past events with check-ins, projects, outcomes."""
    from . import demo

    demo.load(head=context.head, series=context.series)


def _demo_unload(series) -> None:
    from . import demo

    demo.unload(series)  # projects protect the series; the demo attendees go too
