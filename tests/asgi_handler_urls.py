"""Views for tests/test_asgi_handler.py: each records the thread it ran on."""

import threading

from django.db import connections
from django.http import HttpResponse
from django.urls import path

seen: list[dict] = []
gates: dict[str, threading.Event] = {}


def where(request):
    wrapper = connections["default"]  # this thread's
    with wrapper.cursor() as cursor:  # opens its database connection
        cursor.execute("SELECT 1")
    seen.append({"thread": threading.current_thread(), "connection": wrapper})
    return HttpResponse("ok")


def wait(request, name: str):
    seen.append({"thread": threading.current_thread(), "name": name})
    gates.setdefault(f"{name}-started", threading.Event()).set()
    released = gates.setdefault(name, threading.Event()).wait(timeout=10)
    return HttpResponse("released" if released else "timed out")


def release(request, name: str):
    seen.append({"thread": threading.current_thread(), "name": f"release {name}"})
    gates.setdefault(name, threading.Event()).set()
    return HttpResponse("ok")


urlpatterns = [
    path("where/", where),
    path("wait/<str:name>/", wait),
    path("release/<str:name>/", release),
]
