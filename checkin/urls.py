from django.urls import path

from .views import api, console, pages

app_name = "checkin"

urlpatterns = [
    path("api/checkin/scan", api.scan, name="api_scan"),
    path("api/checkin/sync", api.sync, name="api_sync"),
    path("api/checkin/offline", api.offline, name="api_offline"),
    path("api/checkin/whoami", api.whoami, name="api_whoami"),
    path("api/checkin/pair", api.pair, name="api_pair"),
    path("checkin/scan/", pages.scanner, name="scanner"),
    path("checkin/pair/", pages.pair, name="pair"),
    path("checkin/tickets/<int:pk>/", pages.ticket, name="ticket"),
    path("checkin/tickets/<int:pk>/ticket.png", pages.ticket_png, name="ticket_png"),
    path("checkin/events/<int:pk>/inside.json", pages.inside, name="inside"),
    path("console/events/<int:pk>/checkin/", console.dashboard, name="dashboard"),
    path("console/events/<int:pk>/checkin/live.json", console.snapshot, name="snapshot"),
    path("console/events/<int:pk>/checkin/devices/", console.devices, name="devices"),
    path(
        "console/events/<int:pk>/checkin/devices/<int:device_pk>/revoke/",
        console.device_revoke_view,
        name="device_revoke",
    ),
    path("console/events/<int:pk>/checkin/lists/", console.lists, name="lists"),
    path("console/events/<int:pk>/checkin/badges/", console.badges, name="badges"),
]
