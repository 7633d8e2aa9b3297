"""The organizer's grid (slots, tables, rules) and a company's part in it (slots, table names),
and the interests of both sides."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from accounts.models import Company, User
from accounts.services import audit_log
from events.models import Event

from ..errors import MatchmakingError
from ..models import ACTIVE, Interest, Meeting, MeetingSetup, Participation, Slot, Table
from ..permissions import can_manage, is_confirmed, is_member


def _require_manager(actor: User, event: Event) -> None:
    if not can_manage(actor, event):
        raise MatchmakingError("forbidden")


def setup_save(*, event: Event, actor: User, **fields) -> MeetingSetup:
    """Turn meetings on for `event` (or change the rules). Fields: meeting_minutes,
    requests_open_at, requests_close_at, max_per_candidate, max_per_company, lapse_hours."""
    _require_manager(actor, event)
    allowed = {
        "meeting_minutes",
        "requests_open_at",
        "requests_close_at",
        "max_per_candidate",
        "max_per_company",
        "lapse_hours",
    }
    if set(fields) - allowed:
        raise MatchmakingError("invalid", detail=", ".join(sorted(set(fields) - allowed)))
    with transaction.atomic():
        setup, _created = MeetingSetup.objects.get_or_create(event=event)
        for key, value in fields.items():
            setattr(setup, key, value)
        setup.save()
        audit_log(actor=actor, action="meeting_setup.save", target=event, data={k: str(v) for k, v in fields.items()})
    return setup


def slots_generate(
    *,
    setup: MeetingSetup,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    minutes: int | None = None,
    gap_minutes: int = 0,
) -> list[Slot]:
    """Slots of `minutes` (default: the meeting length) from `starts_at` until `ends_at`, with
    `gap_minutes` between them. Slots that already exist at a start time are left alone."""
    _require_manager(actor, setup.event)
    minutes = minutes or setup.meeting_minutes
    if minutes < 5 or ends_at <= starts_at or gap_minutes < 0:
        raise MatchmakingError("invalid", detail="slots")
    created = []
    with transaction.atomic():
        moment = starts_at
        while moment + timedelta(minutes=minutes) <= ends_at:
            slot, made = Slot.objects.get_or_create(
                event=setup.event, starts_at=moment, defaults={"ends_at": moment + timedelta(minutes=minutes)}
            )
            if made:
                created.append(slot)
            moment += timedelta(minutes=minutes + gap_minutes)
        audit_log(actor=actor, action="meeting_slots.generate", target=setup.event, data={"created": len(created)})
    return created


def slot_delete(*, slot: Slot, actor: User) -> None:
    _require_manager(actor, slot.event)
    if Meeting.objects.filter(slot=slot, status__in=ACTIVE).exists():
        raise MatchmakingError("invalid", detail="slot has meetings")
    slot.delete()


def tables_create(
    *, setup: MeetingSetup, actor: User, hall: str, count: int, kind: str = "table", company: Company | None = None
) -> list[Table]:
    """`count` new tables numbered after the hall's last one, optionally handed to `company`
    (which then takes part in the event's meetings)."""
    _require_manager(actor, setup.event)
    if not 1 <= count <= 200 or kind not in Table.Kind.values:
        raise MatchmakingError("invalid", detail="tables")
    with transaction.atomic():
        last = (
            Table.objects.filter(event=setup.event, hall=hall)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        )
        tables = [
            Table.objects.create(event=setup.event, hall=hall, number=last + i + 1, kind=kind, company=company)
            for i in range(count)
        ]
        if company is not None:
            participation_ensure(event=setup.event, company=company)
        audit_log(
            actor=actor,
            action="meeting_tables.create",
            target=setup.event,
            data={"hall": hall, "count": count, "company": company.pk if company else None},
        )
    return tables


def participation_ensure(*, event: Event, company: Company) -> Participation:
    participation, created = Participation.objects.get_or_create(event=event, company=company)
    if created:
        participation.slots.set(Slot.objects.filter(event=event))
    return participation


def table_assign(*, table: Table, company: Company | None, actor: User) -> Table:
    _require_manager(actor, table.event)
    if Meeting.objects.filter(table=table, status__in=ACTIVE).exists():
        raise MatchmakingError("invalid", detail="table has meetings")
    with transaction.atomic():
        table.company = company
        table.save(update_fields=["company"])
        if company is not None:
            participation_ensure(event=table.event, company=company)
        audit_log(actor=actor, action="meeting_table.assign", target=table, data={"company": company and company.pk})
    return table


def availability_set(*, participation: Participation, actor: User, slot_ids: list[int]) -> Participation:
    """The company says which slots it is there for. Slots holding its active meetings stay."""
    if not is_member(actor, participation.company_id):
        raise MatchmakingError("forbidden")
    with transaction.atomic():
        booked = set(
            Meeting.objects.filter(
                event=participation.event, company=participation.company, status__in=ACTIVE
            ).values_list("slot_id", flat=True)
        )
        slots = Slot.objects.filter(event=participation.event, pk__in=set(slot_ids) | booked)
        participation.slots.set(slots)
        audit_log(
            actor=actor,
            action="meeting_availability.set",
            target=participation.event,
            data={"company": participation.company_id, "slots": sorted(s.pk for s in slots)},
        )
    return participation


def table_label_set(*, table: Table, actor: User, label: str, online_url: str = "") -> Table:
    if table.company_id is None or not is_member(actor, table.company_id):
        raise MatchmakingError("forbidden")
    table.label = label[:80]
    if table.kind == Table.Kind.ONLINE and online_url:
        if not online_url.startswith(("https://", "http://")):
            raise MatchmakingError("invalid", detail="url")
        table.online_url = online_url[:200]
    table.save(update_fields=["label", "online_url"])
    audit_log(actor=actor, action="meeting_table.label", target=table)
    return table


def interest_set(
    *,
    event: Event,
    actor: User,
    side: str,
    company: Company,
    candidate: User,
    priority: int,
    note: str = "",
    position_title: str = "",
) -> Interest:
    """A candidate's wish to meet a company, or a company's wish to meet a candidate (only one
    who is confirmed for the event and consented to be shown to companies)."""
    if not 1 <= int(priority) <= 3:
        raise MatchmakingError("invalid", detail="priority")
    if not MeetingSetup.objects.filter(pk=event.pk).exists():
        raise MatchmakingError("not_enabled")
    if not Participation.objects.filter(event=event, company=company).exists():
        raise MatchmakingError("not_participating")
    if not is_confirmed(candidate, event):
        raise MatchmakingError("not_registered")
    if side == Interest.Side.CANDIDATE:
        if actor.pk != candidate.pk:
            raise MatchmakingError("forbidden")
    elif side == Interest.Side.COMPANY:
        if not is_member(actor, company.pk):
            raise MatchmakingError("forbidden")
        profile = getattr(candidate, "candidate_profile", None)
        if profile is None or not profile.consent_share:
            raise MatchmakingError("no_consent")
    else:
        raise MatchmakingError("invalid", detail="side")
    with transaction.atomic():
        interest, _created = Interest.objects.update_or_create(
            event=event,
            company=company,
            candidate=candidate,
            side=side,
            defaults={"priority": int(priority), "note": note[:200], "position_title": position_title[:120]},
        )
        audit_log(
            actor=actor, action="meeting_interest.set", target=interest, data={"side": side, "priority": priority}
        )
    return interest


def interest_delete(*, interest: Interest, actor: User) -> None:
    mine = (interest.side == Interest.Side.CANDIDATE and interest.candidate_id == actor.pk) or (
        interest.side == Interest.Side.COMPANY and is_member(actor, interest.company_id)
    )
    if not mine:
        raise MatchmakingError("forbidden")
    with transaction.atomic():
        audit_log(actor=actor, action="meeting_interest.delete", target=interest)
        interest.delete()
