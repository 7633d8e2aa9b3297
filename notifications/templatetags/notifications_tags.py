from django import template

from ..models import Notification

register = template.Library()

BANNERS_SHOWN = 3


@register.simple_tag
def event_announcements(event_id, user):
    """The latest announcements about this event that `user` received (newest first)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Notification.objects.filter(user=user, target=f"event:{int(event_id)}", kind="announcement")
        .only("pk", "title", "body", "context", "created_at", "read_at")
        .order_by("-created_at", "-id")[:BANNERS_SHOWN]
    )


@register.simple_tag
def event_notice_topics(event_id, user):
    """The event's announcement groups the viewer may join (their segments), comma-separated."""
    from ..announcements import notice_topics

    return ",".join(notice_topics(user, int(event_id)))
