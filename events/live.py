"""Who may listen to an event's live groups (called by notifications' consumer, off the loop)."""

from .models import Event
from .permissions import event_can_scan


def authorize_event_topic(user, event_id: int, audience: str) -> bool:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return False
    if audience == "public":
        return event.status in (Event.Status.PUBLISHED, Event.Status.CANCELLED) or event_can_scan(user, event)
    if audience == "staff":
        return event_can_scan(user, event)
    return False
