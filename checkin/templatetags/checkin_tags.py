from datetime import timedelta

from django import template
from django.utils import timezone

from ..selectors import inside_count

register = template.Library()


@register.simple_tag
def checkin_inside(event):
    """The live "people inside" count for an on-site event from two hours before it starts
    until it ends (None otherwise: the public page shows nothing)."""
    if event.mode == "online" or event.status != "published":
        return None
    now = timezone.now()
    if not event.starts_at - timedelta(hours=2) <= now <= event.ends_at:
        return None
    return inside_count(event.pk)
