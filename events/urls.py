from django.urls import path

from .views import public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/<int:pk>/", public.event_detail, name="detail"),
    path("events/<int:pk>/live.json", public.event_snapshot, name="snapshot"),
    path("events/<int:pk>/register/", public.event_register, name="register"),
    path("events/<int:pk>/cancel/", public.event_cancel_registration, name="cancel"),
    path("my/events/", public.my_events, name="my_events"),
]
