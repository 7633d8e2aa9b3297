"""The organizer console (/console/). Every view needs an organizer; every event-scoped view
finds the event among those the user may edit, so a guessed id answers 404 (DESIGN §5.6).

programme.py: home, series, event form, publish/cancel, sessions, team.
registrations.py: the registration list, its actions and exports, the audit trail.
"""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from accounts.console import organizer_required

from ...models import Event
from ...permissions import events_editable_by

__all__ = ["FORM", "READ", "WRITE", "editable_event", "event_view", "organizer_required"]


def editable_event(request, pk) -> Event:
    """The event `pk` if the signed-in organizer may edit it, else 404."""
    return get_object_or_404(events_editable_by(request.user).select_related("series", "action"), pk=pk)


READ = ("GET", "HEAD")
FORM = ("GET", "HEAD", "POST")
WRITE = ("POST",)


def event_view(methods=FORM):
    """An event-scoped console view, called as view(request, event, ...), answering `methods`.

    The event is looked up before the method is checked, so someone outside the event's team
    gets the same 404 for every URL and method and learns nothing about which events exist.
    """

    def decorate(view):
        @organizer_required
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            event = editable_event(request, pk)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, event, *args, **kwargs)

        return wrapper

    return decorate
