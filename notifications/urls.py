"""Included at the site root (config/urls.py), so every route spells out its full prefix."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="read_all"),
    path("inbox/<int:pk>/read/", views.mark_read, name="read"),
    path("me/notifications/unread.json", views.unread, name="unread"),
    path("me/notifications/preferences/", views.preferences, name="preferences"),
    path("console/events/<int:pk>/announcements/", views.event_announcements, name="event_announcements"),
]
