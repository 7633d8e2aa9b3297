"""Who may do what on an event. Checked on the server for every object (DESIGN §5.6)."""

from django.db.models import Q, QuerySet

from .models import Event, EventTeamMember


def _manages_all(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("events.manage_all_events")


def event_can_edit(user, event: Event) -> bool:
    if not user.is_authenticated or not user.is_organizer:
        return False
    if _manages_all(user):
        return True
    return EventTeamMember.objects.filter(event=event, user=user, can_edit=True).exists()


def event_can_scan(user, event: Event) -> bool:
    if not user.is_authenticated or not user.is_organizer:
        return False
    if _manages_all(user):
        return True
    return EventTeamMember.objects.filter(event=event, user=user).filter(Q(can_scan=True) | Q(can_edit=True)).exists()


def events_editable_by(user) -> QuerySet[Event]:
    if not user.is_authenticated or not user.is_organizer:
        return Event.objects.none()
    if _manages_all(user):
        return Event.objects.all()
    return Event.objects.filter(team__user=user, team__can_edit=True).distinct()
