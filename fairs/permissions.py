"""Who may act on a fair or on a company's fair data. Checked on the server for every object."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Company, CompanyMembership
from events.models import Event
from events.permissions import event_can_edit

from .models import Fair


def member_companies(user):
    """The companies `user` belongs to (empty for anonymous visitors)."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user)


def is_member(user, company: Company) -> bool:
    return user.is_authenticated and CompanyMembership.objects.filter(user=user, company=company).exists()


def fair_can_manage(user, fair: Fair) -> bool:
    return event_can_edit(user, fair.event)


def fair_visible(fair: Fair, user) -> bool:
    """The public map and directory: published (or cancelled) fairs; drafts to their editors."""
    if fair.event.status in (Event.Status.PUBLISHED, Event.Status.CANCELLED):
        return True
    return fair_can_manage(user, fair)


def fair_for_manager(user, event_id: int) -> Fair:
    """The fair of `event_id` if `user` may lay it out and decide bookings, else 404."""
    fair = Fair.objects.select_related("event").filter(pk=event_id).first()
    if fair is None or not fair_can_manage(user, fair):
        raise Http404
    return fair
