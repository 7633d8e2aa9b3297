"""Who may act on an event's meetings. Checked on the server for every object (DESIGN §5.6)."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Company
from events.models import Event, Registration
from events.permissions import event_can_edit

from .models import MeetingSetup, Participation


def member_companies(user):
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user)


def is_member(user, company_id: int) -> bool:
    return user.is_authenticated and Company.objects.filter(pk=company_id, memberships__user=user).exists()


def is_confirmed(user, event: Event) -> bool:
    return (
        user.is_authenticated
        and user.is_candidate
        and Registration.objects.filter(event=event, user=user, status=Registration.Status.CONFIRMED).exists()
    )


def can_manage(user, event: Event) -> bool:
    return event_can_edit(user, event)


def setup_for_manager(user, event_id: int) -> MeetingSetup:
    setup = MeetingSetup.objects.select_related("event").filter(pk=event_id).first()
    if setup is None or not can_manage(user, setup.event):
        raise Http404
    return setup


def visible_setup(event_id: int) -> MeetingSetup:
    setup = (
        MeetingSetup.objects.select_related("event")
        .filter(pk=event_id, event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .first()
    )
    if setup is None:
        raise Http404
    return setup


def participation_for_member(user, event_id: int) -> Participation:
    """The acting company's participation in the event, else 404."""
    participation = (
        Participation.objects.select_related("company", "event")
        .filter(event_id=event_id, company__in=member_companies(user))
        .order_by("company_id")
        .first()
    )
    if participation is None:
        raise Http404
    return participation


def meeting_side(user, meeting) -> str | None:
    """'candidate', 'company' or None: which side of `meeting` the user is on."""
    if not user.is_authenticated:
        return None
    if meeting.candidate_id == user.pk:
        return "candidate"
    if is_member(user, meeting.company_id):
        return "company"
    return None
