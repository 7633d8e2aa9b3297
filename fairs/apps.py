from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsConfig(AppConfig):
    name = "fairs"
    verbose_name = _("招聘会展位")

    def ready(self):
        from accounts.services import personal_data_register
        from notifications.live import topic_register

        from . import privacy
        from .live import authorize_fair_topic

        topic_register("fair", authorize_fair_topic)
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        from events.demo_steps import demo_step_register

        demo_step_register("fairs", order=30, load=_demo_load)
        try:
            from .notices import kinds_register
        except ImportError:  # notifications without a kind registry
            return
        kinds_register()


def _demo_load(context) -> None:
    """Floor plans, booth bookings and positions of the demo's recruitment fairs."""
    from . import demo

    demo.load(head=context.head)
