"""The checks every booking path shares, and the one locking order.

Locking order, everywhere: the company's Participation row(s) (its tables and its maximum), then
the candidate's Registration row(s) (their slots and their maximum), each group by ascending id,
then meeting rows. With the company and the candidate locked, "is the cell free?" and the insert
are one step; the partial unique constraints on (slot, candidate) and (slot, table) are the
backstop if a path ever forgot a lock.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from events.models import Event, Registration, Session

from ..errors import MatchmakingError
from ..models import ACTIVE, Meeting, MeetingSetup, Participation, Slot, Table


def lock_participation(event_id: int, company_id: int) -> Participation:
    participation = Participation.objects.select_for_update().filter(event_id=event_id, company_id=company_id).first()
    if participation is None:
        raise MatchmakingError("not_participating")
    return participation


def lock_registration(event_id: int, user_id: int) -> Registration:
    registration = (
        Registration.objects.select_for_update()
        .filter(event_id=event_id, user_id=user_id, status=Registration.Status.CONFIRMED)
        .first()
    )
    if registration is None:
        raise MatchmakingError("not_registered")
    return registration


def lock_pair(event_id: int, company_id: int, candidate_id: int) -> tuple[Participation, Registration]:
    return lock_participation(event_id, company_id), lock_registration(event_id, candidate_id)


def busy_slot_ids(event: Event, user_id: int, slots=None) -> set[int]:
    """Slots of `event` that overlap another event the candidate has a seat for (its sessions if
    it has a timetable, else the whole event). The event's own timetable is not a clash: the
    organizer lays the grid out around it."""
    slots = list(slots if slots is not None else Slot.objects.filter(event=event))
    if not slots:
        return set()
    first, last = min(s.starts_at for s in slots), max(s.ends_at for s in slots)
    others = list(
        Event.objects.filter(
            registrations__user_id=user_id,
            registrations__status=Registration.Status.CONFIRMED,
            starts_at__lt=last,
            ends_at__gt=first,
        )
        .exclude(pk=event.pk)
        .exclude(status=Event.Status.CANCELLED)
        .distinct()
    )
    intervals = []
    with_sessions = set(Session.objects.filter(event__in=others).values_list("event_id", flat=True))
    intervals += list(
        Session.objects.filter(event__in=others, starts_at__lt=last, ends_at__gt=first).values_list(
            "starts_at", "ends_at"
        )
    )
    intervals += [(e.starts_at, e.ends_at) for e in others if e.pk not in with_sessions]
    return {s.pk for s in slots if any(a < s.ends_at and s.starts_at < b for a, b in intervals)}


def neighbour_slots(slot: Slot) -> list[Slot]:
    """Slots right before and after `slot` with no break between (the travel rule)."""
    return list(
        Slot.objects.filter(event_id=slot.event_id).filter(Q(ends_at=slot.starts_at) | Q(starts_at=slot.ends_at))
    )


def check_cell(
    *,
    setup: MeetingSetup,
    participation: Participation,
    candidate_id: int,
    slot: Slot,
    table: Table | None = None,
    ignore: int | None = None,
) -> Table:
    """Everything a new (or moved) meeting of this pair in `slot` needs; the table it gets.
    Call with the pair locked. `ignore`: the meeting being moved (it does not block itself)."""
    company_id, event = participation.company_id, setup.event
    active = Meeting.objects.filter(event=event, status__in=ACTIVE)
    if ignore:
        active = active.exclude(pk=ignore)
    if not participation.slots.filter(pk=slot.pk).exists():
        raise MatchmakingError("company_absent")
    if slot.pk in busy_slot_ids(event, candidate_id, [slot]):
        raise MatchmakingError("candidate_busy")
    if active.filter(slot=slot, candidate_id=candidate_id).exists():
        raise MatchmakingError("slot_taken")
    if active.filter(company_id=company_id, candidate_id=candidate_id).exists():
        raise MatchmakingError("duplicate")
    if active.filter(candidate_id=candidate_id).count() >= setup.max_per_candidate:
        raise MatchmakingError("over_candidate_max", max=setup.max_per_candidate)
    if active.filter(company_id=company_id).count() >= setup.max_per_company:
        raise MatchmakingError("over_company_max", max=setup.max_per_company)
    tables = Table.objects.filter(event=event, company_id=company_id).order_by("hall", "number", "id")
    busy_tables = set(active.filter(slot=slot).values_list("table_id", flat=True))
    if table is not None:
        if table.company_id != company_id or table.event_id != event.pk:
            raise MatchmakingError("invalid", detail="table")
        if table.pk in busy_tables:
            raise MatchmakingError("table_taken")
    else:
        table = next((t for t in tables if t.pk not in busy_tables), None)
        if table is None:
            raise MatchmakingError("no_table")
    near = active.filter(candidate_id=candidate_id, slot__in=neighbour_slots(slot)).exclude(table__hall=table.hall)
    if near.exists():
        raise MatchmakingError("travel")
    return table


def lapse_deadline(setup: MeetingSetup, slot: Slot, now) -> timedelta:
    return min(now + timedelta(hours=setup.lapse_hours), slot.starts_at)
