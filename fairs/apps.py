from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsConfig(AppConfig):
    name = "fairs"
    verbose_name = _("招聘会展位")

    def ready(self):
        from accounts.services import personal_data_register
        from notifications.broadcast import broadcast_register
        from notifications.live import topic_register

        from . import privacy
        from .live import authorize_fair_topic

        topic_register("fair", authorize_fair_topic)
        # Every open map of a fair hears every booth change: one Redis message per server
        # process instead of one delivery through the channel layer per socket (issue 18).
        broadcast_register("fair")
        self._stamp_on_save()
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)
        from events.demo_steps import demo_step_register

        demo_step_register("fairs", order=30, load=_demo_load)
        try:
            from .notices import kinds_register
        except ImportError:  # notifications without a kind registry
            return
        kinds_register()

    @staticmethod
    def _stamp_on_save():
        """A saved fair or event (status, booking window, title): the map pages' copies of the
        row are retired on commit in every process (fairs.selectors.fair_for_map)."""
        from django.db.models.signals import post_delete, post_save

        from events.models import Event

        from .models import Fair
        from .selectors import map_stamp_bump

        def retire(sender, instance, **kwargs):
            map_stamp_bump(instance.pk)  # a fair's pk is its event's

        for model in (Fair, Event):
            post_save.connect(retire, sender=model, weak=False, dispatch_uid=f"fairs.stamp.{model.__name__}")
            post_delete.connect(retire, sender=model, weak=False, dispatch_uid=f"fairs.stamp.del.{model.__name__}")


def _demo_load(context) -> None:
    """Floor plans, booth bookings and positions of the demo's recruitment fairs."""
    from . import demo

    demo.load(head=context.head)
