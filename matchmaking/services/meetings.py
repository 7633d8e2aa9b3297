"""Meetings by hand: request, accept, decline, cancel, lapse; the organizer's move and pin;
marking at the table; feedback. Locking order: see locks.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_log

from ..errors import MatchmakingError
from ..models import ACTIVE, Feedback, Meeting, MeetingSetup, Slot, Table
from ..permissions import can_manage, is_member, meeting_side
from . import effects
from .locks import check_cell, lapse_deadline, lock_pair

Status = Meeting.Status


def _setup(event_id: int) -> MeetingSetup:
    setup = MeetingSetup.objects.select_related("event").filter(pk=event_id).first()
    if setup is None:
        raise MatchmakingError("not_enabled")
    return setup


def _lapse_expired(event_id: int, *, company_id: int, candidate_id: int, now) -> None:
    """Requests of this pair's sides past their deadline free their cells (called under the locks)."""
    from django.db.models import Q

    Meeting.objects.filter(event_id=event_id, status=Status.REQUESTED, expires_at__lte=now).filter(
        Q(company_id=company_id) | Q(candidate_id=candidate_id)
    ).update(status=Status.LAPSED, decided_at=now)


def meeting_request(
    *, slot: Slot, company_id: int, candidate: User, actor: User, side: str, note: str = "", now=None
) -> Meeting:
    """One side asks the other for a meeting in `slot`; it holds a free table of the company
    until it is answered or lapses (at the setup's deadline, at the latest when the slot starts).

    On commit: the other side is notified, schedules and the grid update live.
    Raises MatchmakingError: not_enabled / closed / forbidden / no_consent / not_participating / not_registered /
    company_absent / candidate_busy / slot_taken / duplicate / over_*_max / no_table / travel.
    """
    now = now or timezone.now()
    setup = _setup(slot.event_id)
    if not setup.requests_are_open(now):
        raise MatchmakingError("closed")
    if side == "candidate" and actor.pk != candidate.pk:
        raise MatchmakingError("forbidden")
    if side == "company" and not is_member(actor, company_id):
        raise MatchmakingError("forbidden")
    if side not in ("candidate", "company"):
        raise MatchmakingError("invalid", detail="side")
    if side == "company" and not getattr(getattr(candidate, "candidate_profile", None), "consent_share", False):
        raise MatchmakingError("no_consent")  # a company only reaches candidates who agreed to be shown
    try:
        with transaction.atomic():
            participation, _registration = lock_pair(slot.event_id, company_id, candidate.pk)
            if not participation.company.is_verified:
                raise MatchmakingError("not_verified")
            _lapse_expired(slot.event_id, company_id=company_id, candidate_id=candidate.pk, now=now)
            table = check_cell(setup=setup, participation=participation, candidate_id=candidate.pk, slot=slot)
            meeting = Meeting.objects.create(
                event_id=slot.event_id,
                slot=slot,
                table=table,
                company_id=company_id,
                candidate=candidate,
                status=Status.REQUESTED,
                origin=Meeting.Origin.HAND,
                requested_by_side=side,
                requested_by=actor,
                note=note[:200],
                expires_at=lapse_deadline(setup, slot, now),
                created_at=now,
            )
            audit_log(
                actor=actor,
                action="meeting.request",
                target=meeting,
                data={"slot": slot.pk, "table": table.pk, "side": side},
            )
            effects.changed(slot.event_id, [meeting])
            effects.notify(meeting, "requested", to="company" if side == "candidate" else "candidate")
    except IntegrityError:
        # Only reachable without the locks: the constraints are the backstop. Same answer.
        raise MatchmakingError("slot_taken") from None
    return meeting


def _lock_meeting_loose(meeting: Meeting) -> Meeting:
    """For paths that need no cell check (decline, cancel, mark): the meeting row only, but still
    after the pair, in the global order, when the pair's rows exist."""
    from events.models import Registration

    from ..models import Participation

    Participation.objects.select_for_update().filter(event_id=meeting.event_id, company_id=meeting.company_id).first()
    Registration.objects.select_for_update().filter(
        event_id=meeting.event_id, user_id=meeting.candidate_id, status="confirmed"
    ).first()
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "slot", "table", "company", "candidate")
        .get(pk=meeting.pk)
    )


def meeting_answer(*, meeting: Meeting, actor: User, accept: bool, now=None) -> Meeting:
    """The asked side accepts or declines a request. A request past its deadline lapses instead.

    On commit: the asking side is notified (accepted: with the meeting's .ics), pages update live.
    Raises MatchmakingError: forbidden / own_request / not_requested / lapsed.
    """
    now = now or timezone.now()
    side = meeting_side(actor, meeting)
    if side is None:
        raise MatchmakingError("forbidden")
    if side == meeting.requested_by_side:
        raise MatchmakingError("own_request")
    with transaction.atomic():
        meeting = _lock_meeting_loose(meeting)
        if meeting.status != Status.REQUESTED:
            raise MatchmakingError("not_requested")
        if meeting.expires_at and meeting.expires_at <= now:
            meeting.status, meeting.decided_at = Status.LAPSED, now
            meeting.save(update_fields=["status", "decided_at"])
            effects.changed(meeting.event_id, [meeting])
            lapsed = True  # committed, then refused: the lapse stands
        else:
            lapsed = False
            meeting.status = Status.ACCEPTED if accept else Status.DECLINED
            meeting.decided_at = now
            meeting.save(update_fields=["status", "decided_at"])
            audit_log(actor=actor, action="meeting.accept" if accept else "meeting.decline", target=meeting)
            effects.changed(meeting.event_id, [meeting])
            effects.notify(
                meeting, "accepted" if accept else "declined", to="candidate" if side == "company" else "company"
            )
            if accept:
                effects.notify(meeting, "confirmed", to=side)
    if lapsed:
        raise MatchmakingError("lapsed")
    return meeting


def meeting_cancel(*, meeting: Meeting, actor: User, now=None) -> Meeting:
    """Either side or an organizer cancels an active meeting (a request is withdrawn).

    On commit: the other side(s) are notified (with a cancelled .ics), pages update live.
    Raises MatchmakingError: forbidden / not_active.
    """
    side = meeting_side(actor, meeting)
    organizer = side is None and can_manage(actor, meeting.event)
    if side is None and not organizer:
        raise MatchmakingError("forbidden")
    with transaction.atomic():
        meeting = _lock_meeting_loose(meeting)
        if meeting.status not in ACTIVE:
            raise MatchmakingError("not_active")
        was = meeting.status
        meeting.status, meeting.decided_at = Status.CANCELLED, now or timezone.now()
        meeting.sequence += 1
        meeting.save(update_fields=["status", "decided_at", "sequence"])
        audit_log(actor=actor, action="meeting.cancel", target=meeting, data={"was": was, "by": side or "organizer"})
        effects.changed(meeting.event_id, [meeting])
        if was == Status.ACCEPTED or organizer:
            to = "both" if organizer else ("company" if side == "candidate" else "candidate")
            effects.notify(meeting, "cancelled", to=to)
    return meeting


def meetings_lapse(*, now=None) -> int:
    """Every request past its deadline lapses (periodic task). Returns how many."""
    now = now or timezone.now()
    count = 0
    for meeting in Meeting.objects.filter(status=Status.REQUESTED, expires_at__lte=now).order_by("pk")[:1000]:
        with transaction.atomic():
            meeting = _lock_meeting_loose(meeting)
            if meeting.status != Status.REQUESTED:
                continue
            meeting.status, meeting.decided_at = Status.LAPSED, now
            meeting.save(update_fields=["status", "decided_at"])
            effects.changed(meeting.event_id, [meeting])
            effects.notify(meeting, "lapsed", to=meeting.requested_by_side or "both")
            count += 1
    return count


def meeting_move(*, meeting: Meeting, slot: Slot, table: Table, actor: User, pin: bool = True) -> Meeting:
    """An organizer moves an active meeting to another free cell of the grid (and pins it, so a
    re-run of the scheduler leaves it there).

    On commit: both sides are notified (updated .ics), the grid and schedules update live.
    Raises MatchmakingError: forbidden / not_active / invalid / company_absent / candidate_busy /
    slot_taken / table_taken / travel.
    """
    if not can_manage(actor, meeting.event):
        raise MatchmakingError("forbidden")
    if slot.event_id != meeting.event_id or table.event_id != meeting.event_id:
        raise MatchmakingError("invalid", detail="cell")
    setup = _setup(meeting.event_id)
    try:
        with transaction.atomic():
            participation, _r = lock_pair(meeting.event_id, meeting.company_id, meeting.candidate_id)
            meeting = (
                Meeting.objects.select_for_update(of=("self",))
                .select_related("event", "slot", "table", "company", "candidate")
                .get(pk=meeting.pk)
            )
            if meeting.status not in ACTIVE:
                raise MatchmakingError("not_active")
            # Not the pair's own meeting: check_cell would call it a duplicate.
            check_cell(
                setup=setup,
                participation=participation,
                candidate_id=meeting.candidate_id,
                slot=slot,
                table=table,
                ignore=meeting.pk,
            )
            previous = f"{meeting.slot} {meeting.table}"
            meeting.slot, meeting.table, meeting.pinned = slot, table, pin or meeting.pinned
            meeting.sequence += 1
            meeting.save(update_fields=["slot", "table", "pinned", "sequence"])
            audit_log(
                actor=actor,
                action="meeting.move",
                target=meeting,
                data={"slot": slot.pk, "table": table.pk, "from": previous},
            )
            effects.changed(meeting.event_id, [meeting])
            if meeting.status == Status.ACCEPTED:
                effects.notify(meeting, "changed", previous=previous)
    except IntegrityError:
        raise MatchmakingError("table_taken") from None
    return meeting


def meeting_pin(*, meeting: Meeting, actor: User, pinned: bool) -> Meeting:
    if not can_manage(actor, meeting.event):
        raise MatchmakingError("forbidden")
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(pinned=pinned)
        audit_log(actor=actor, action="meeting.pin" if pinned else "meeting.unpin", target=meeting)
    meeting.pinned = pinned
    return meeting


def meeting_mark(*, meeting: Meeting, actor: User, held: bool, now=None) -> Meeting:
    """The company's representative (or an organizer) marks an accepted meeting held or no-show."""
    now = now or timezone.now()
    if meeting_side(actor, meeting) != "company" and not can_manage(actor, meeting.event):
        raise MatchmakingError("forbidden")
    with transaction.atomic():
        meeting = _lock_meeting_loose(meeting)
        if meeting.status != Status.ACCEPTED:
            raise MatchmakingError("not_accepted")
        if now < meeting.slot.starts_at:
            raise MatchmakingError("too_early")
        meeting.attendance = Meeting.Attendance.HELD if held else Meeting.Attendance.NO_SHOW
        meeting.save(update_fields=["attendance"])
        audit_log(actor=actor, action="meeting.mark", target=meeting, data={"attendance": meeting.attendance})
        effects.changed(meeting.event_id, [meeting])
    return meeting


def meeting_mark_by_ticket(*, meeting: Meeting, actor: User, code: str, now=None) -> Meeting:
    """Held, by scanning the candidate's ticket QR (checkin's signed code) at the table."""
    try:
        from checkin.models import Ticket
        from checkin.tickets import ticket_code_verify
    except ImportError:  # pragma: no cover - checkin is part of the project
        raise MatchmakingError("bad_ticket") from None
    try:
        claims = ticket_code_verify(code)
    except Exception:
        raise MatchmakingError("bad_ticket") from None
    ticket_id = getattr(claims, "ticket_id", None) or (claims.get("ticket_id") if isinstance(claims, dict) else None)
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("registration").first() if ticket_id else None
    if (
        ticket is None
        or ticket.registration.user_id != meeting.candidate_id
        or ticket.registration.event_id != meeting.event_id
    ):
        raise MatchmakingError("wrong_candidate")
    return meeting_mark(meeting=meeting, actor=actor, held=True, now=now)


def feedback_save(
    *, meeting: Meeting, actor: User, rating: int, outcome: str = "none", comment: str = "", now=None
) -> Feedback:
    """A side's rating (1–5) and follow-up of a meeting that took place; one per side, editable."""
    now = now or timezone.now()
    side = meeting_side(actor, meeting)
    if side is None:
        raise MatchmakingError("forbidden")
    if meeting.status != Status.ACCEPTED:
        raise MatchmakingError("not_accepted")
    if now < meeting.slot.starts_at:
        raise MatchmakingError("too_early")
    if not 1 <= int(rating) <= 5 or outcome not in Feedback.Outcome.values:
        raise MatchmakingError("invalid", detail="rating")
    with transaction.atomic():
        feedback, _created = Feedback.objects.update_or_create(
            meeting=meeting,
            side=side,
            defaults={
                "author": actor,
                "rating": int(rating),
                "outcome": outcome,
                "comment": comment[:300],
                "created_at": now,
            },
        )
        audit_log(actor=actor, action="meeting.feedback", target=meeting, data={"side": side, "outcome": outcome})
    return feedback
