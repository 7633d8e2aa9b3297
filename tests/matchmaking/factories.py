"""Matchmaking test data: an event with meetings turned on, slots, companies with tables,
confirmed candidates."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Company
from events.models import Event, Registration
from matchmaking.models import MeetingSetup, Participation, Slot, Table

from ..factories import CompanyFactory, EventFactory, candidate, company_member, organizer, team_member


def matchmaking_event(
    *, slots: int = 4, minutes: int = 15, gap: int = 0, max_candidate: int = 4, max_company: int = 12, **event_fields
):
    """A published matchmaking event a week ahead, with `slots` slots and its organizer as `.boss`."""
    start = timezone.now().replace(microsecond=0, second=0) + timedelta(days=7)
    event = EventFactory(
        kind=Event.Kind.MATCHMAKING, starts_at=start, ends_at=start + timedelta(hours=8), capacity=500, **event_fields
    )
    setup = MeetingSetup.objects.create(
        event=event, meeting_minutes=minutes, max_per_candidate=max_candidate, max_per_company=max_company
    )
    for i in range(slots):
        begin = start + timedelta(minutes=i * (minutes + gap))
        Slot.objects.create(event=event, starts_at=begin, ends_at=begin + timedelta(minutes=minutes))
    boss = organizer()
    team_member(event, boss)
    setup.boss = boss
    return setup


def slots_of(setup) -> list[Slot]:
    return list(Slot.objects.filter(event=setup.event).order_by("starts_at"))


def company_at(setup, *, tables: int = 1, hall: str = "A", slots=None, verified: bool = True, **fields):
    """(company, its admin) taking part with `tables` tables in `hall`, present in `slots` (default all)."""
    company = CompanyFactory(status=Company.Status.VERIFIED if verified else Company.Status.PENDING, **fields)
    user = company_member(company)
    last = Table.objects.filter(event=setup.event, hall=hall).count()
    for i in range(tables):
        Table.objects.create(event=setup.event, hall=hall, number=last + i + 1, company=company)
    participation = Participation.objects.create(event=setup.event, company=company)
    participation.slots.set(slots if slots is not None else Slot.objects.filter(event=setup.event))
    return company, user


def confirmed_candidate(setup, *, consent: bool = True, **profile):
    user = candidate(consent_share=consent, **profile)
    Registration.objects.create(event=setup.event, user=user, status=Registration.Status.CONFIRMED)
    return user
