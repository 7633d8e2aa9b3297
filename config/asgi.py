"""ASGI entry point: Django for HTTP, Channels for WebSockets (under /ws/)."""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from .asgi_handler import get_one_hop_asgi_application

# Django must be set up before anything imports models (the consumers do, indirectly).
# One thread hop per request instead of three (config/asgi_handler.py).
django_asgi_app = get_one_hop_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from checkin.fastlane import ScanFastLane, fast_lane_enabled  # noqa: E402
from events.fastlane import RegistrationFastLane, registration_fast_lane_enabled  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402
from operations.metrics import WebSocketGauge  # noqa: E402

from .concurrency import HttpConcurrencyLimit  # noqa: E402

http_app = django_asgi_app
if settings.HTTP_CONCURRENCY_PER_PROCESS:
    http_app = HttpConcurrencyLimit(django_asgi_app, settings.HTTP_CONCURRENCY_PER_PROCESS)
if registration_fast_lane_enabled():
    # Outside the limit on purpose, as the door's: the lane runs on the loop, its pool bounds it.
    http_app = RegistrationFastLane(http_app)
if fast_lane_enabled():
    # Outside the limit on purpose: the lane runs on the event loop, its pool bounds it.
    http_app = ScanFastLane(http_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        # Counted for /metrics (boju_websocket_connections) from accept to close.
        "websocket": WebSocketGauge(AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))),
    }
)

# The URLconf imports every app's views (and the API's schema): done here, before the port is
# served, instead of by the first request, which used to wait seconds for it on a slow machine.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018  (the import is the point)

if not settings.DEBUG:
    # Loaded before the freeze below, once per worker, rather than by the first search.
    from challenges.search import search_warm

    search_warm()

# The event loop's thread (WebSockets, the door's fast lane, every response's bytes) shares the
# GIL with the threads that run sync views and the programme's catch-up. Each time the loop
# thread waits on a socket it gives the GIL up, and with CPython's default 5 ms switch interval
# it may then wait that long to get it back from a busy thread, at every await: the convoy
# effect. Under a door rush it put 1-3 s between a scan and the staff dashboard
# (bench/checkin.py: scan->dashboard p99 2.8 s at the default, 0.4 s at 0.5 ms; docs/DESIGN.md).
SWITCH_INTERVAL_S = 0.0005
sys.setswitchinterval(SWITCH_INTERVAL_S)

# Everything imported so far lives as long as the process: moved out of the collector's view,
# a full collection no longer walks it (shorter pauses under load).
gc.freeze()
