from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsConfig(AppConfig):
    # Floor plans, booths and booth bookings arrive with issue 4; the app is registered now
    # so the layout in DESIGN.md holds from the first migration.
    name = "fairs"
    verbose_name = _("招聘会展位")
