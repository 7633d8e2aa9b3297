"""Who may listen to an event's meeting grid (`meetings.<event id>.staff`): its organizers.
People's own schedules follow `user.<id>`, which the live backbone authorizes itself."""

from events.models import Event
from events.permissions import event_can_edit


def authorize_meetings_topic(user, event_id: int, audience: str) -> bool:
    if audience != "staff":
        return False
    event = Event.objects.filter(pk=event_id).first()
    return event is not None and event_can_edit(user, event)
