from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import media_dev
from api.errors import json_not_found
from api.main import api

# A database outage outside a view is a 503 "try again", not a 500 (config/dbfaults.py).
handler500 = "config.dbfaults.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("me/", include("accounts.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", json_not_found),  # unknown API paths answer JSON too
    path("", include("api.urls")),
    path("console/", include("events.urls_console")),
    # Each app below spells out its own prefixes (the scan API lives at /api/checkin/...).
    path("", include("checkin.urls")),
    path("", include("notifications.urls")),
    path("", include("fairs.urls")),
    path("", include("matchmaking.urls")),
    path("", include("projects.urls")),
    path("", include("challenges.urls")),
    path("", include("competitions.urls")),
    path("", include("programme.urls")),
    path("", include("operations.urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    # Uploaded media for the development server; never CVs (see media_dev).
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media_dev)]
