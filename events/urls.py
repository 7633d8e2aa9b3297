from django.urls import path, re_path

from .views import calendar, public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/<int:pk>/", public.event_detail, name="detail"),
    path("events/<int:pk>/live.json", public.event_snapshot, name="snapshot"),
    path("events/<int:pk>/register/", public.event_register, name="register"),
    path("events/<int:pk>/answers/", public.event_answers, name="answers"),
    path("events/<int:pk>/cancel/", public.event_cancel_registration, name="cancel"),
    path("my/events/", public.my_events, name="my_events"),
    path("speakers/<int:pk>/", public.speaker_detail, name="speaker"),
    path("events/<int:pk>/calendar.ics", calendar.event_calendar, name="calendar"),
    path("calendar/programme.ics", calendar.programme_feed, name="programme_feed"),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", calendar.personal_feed, name="personal_feed"),
    path("me/calendar/", calendar.my_calendar, name="my_calendar"),
]
