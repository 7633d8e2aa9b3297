from django.urls import path

app_name = "console"

# The organizer console's pages are added in events/views/console.py.
urlpatterns: list = []
