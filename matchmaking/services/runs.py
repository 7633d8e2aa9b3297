"""The scheduler on an event's data: build the problem, keep a run as a draft, publish it.

Kept where they are (the problem's `kept`): accepted meetings booked by hand or by an organizer,
and every pinned meeting. Movable: meetings of an earlier published run (their slots are the
problem's `previous`, so a re-run moves as few as it can). Requests still waiting for an answer
are left alone and their cells blocked (kept) too, so publishing never collides with them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_log
from events.models import Registration

from ..errors import MatchmakingError
from ..models import ACTIVE, Interest, Meeting, MeetingSetup, Participation, SchedulerRun, Slot, Table
from ..permissions import can_manage
from . import effects
from .locks import busy_slot_ids
from .verify import schedule_violations

if TYPE_CHECKING:
    from ..scheduling import Problem


def problem_build(setup: MeetingSetup) -> tuple[Problem, dict]:
    """The event's scheduling problem and, for publishing, the tables of kept/previous meetings."""
    from ..scheduling import CandidateInfo, CompanyInfo, Problem, wish_weight

    event = setup.event
    slots = list(Slot.objects.filter(event=event).order_by("starts_at", "id"))
    adjacent = {(a.pk, b.pk) for a, b in zip(slots, slots[1:]) if a.ends_at == b.starts_at}
    tables = defaultdict(list)
    halls = {}
    for table in Table.objects.filter(event=event, company__isnull=False).order_by("hall", "number", "id"):
        tables[table.company_id].append(table.pk)
        halls.setdefault(table.company_id, table.hall)
    companies = {}
    for participation in Participation.objects.filter(event=event, company__status="verified").prefetch_related(
        "slots"
    ):
        k = participation.company_id
        if tables[k]:
            companies[k] = CompanyInfo(
                tables=len(tables[k]),
                slots={s.pk for s in participation.slots.all()},
                hall=halls[k],
                maximum=setup.max_per_company,
                table_ids=tables[k],
            )
    confirmed = set(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).values_list("user_id", flat=True)
    )
    cand_prio, comp_prio = {}, {}
    for interest in Interest.objects.filter(event=event, company_id__in=companies, candidate_id__in=confirmed):
        target = cand_prio if interest.side == Interest.Side.CANDIDATE else comp_prio
        target[(interest.candidate_id, interest.company_id)] = interest.priority
    # A company's wish counts only for candidates who agreed to be shown to companies.
    consenting = set(
        User.objects.filter(pk__in={c for c, _k in comp_prio}, candidate_profile__consent_share=True).values_list(
            "pk", flat=True
        )
    )
    comp_prio = {p: v for p, v in comp_prio.items() if p[0] in consenting}
    pairs = set(cand_prio) | set(comp_prio)
    wishes = {p: wish_weight(cand_prio.get(p), comp_prio.get(p)) for p in pairs}
    people = {c for c, _k in pairs}
    active = list(Meeting.objects.filter(event=event, status__in=ACTIVE))
    people |= {m.candidate_id for m in active if m.company_id in companies}
    candidates = {
        c: CandidateInfo(maximum=setup.max_per_candidate, busy=busy_slot_ids(event, c, slots))
        for c in people
        if c in confirmed
    }
    kept, previous, kept_tables, previous_tables = [], {}, defaultdict(list), {}
    for m in active:
        if m.company_id not in companies or m.candidate_id not in candidates:
            continue
        movable = m.origin == Meeting.Origin.SCHEDULER and not m.pinned and m.status == Meeting.Status.ACCEPTED
        if movable and (m.candidate_id, m.company_id) in wishes:
            previous[(m.candidate_id, m.company_id)] = m.slot_id
            previous_tables[(m.candidate_id, m.company_id)] = m.table_id
        elif not movable:
            kept.append((m.candidate_id, m.company_id, m.slot_id))
            kept_tables[(m.company_id, m.slot_id)].append(m.table_id)
    problem = Problem(
        slots=[s.pk for s in slots],
        adjacent=adjacent,
        companies=companies,
        candidates=candidates,
        wishes=wishes,
        mutual=set(cand_prio) & set(comp_prio),
        kept=kept,
        previous=previous,
    )
    return problem, {"kept_tables": dict(kept_tables), "previous_tables": previous_tables}


def run_create(*, setup: MeetingSetup, actor: User, time_limit: float = 20.0) -> SchedulerRun:
    """Run the optimiser on the event's interests; keep the result as a draft with its statistics.
    Books nothing. Raises MatchmakingError: forbidden / solver."""
    # Imported here: OR-Tools takes a while to load and only this path needs it (not every
    # process that loads the URLs, e.g. the door-scan fast lane's).
    from events.solving import SolveError

    from ..scheduling import optimise, tables_assign

    if not can_manage(actor, setup.event):
        raise MatchmakingError("forbidden")
    problem, extra = problem_build(setup)
    try:
        solution = optimise(problem, time_limit=time_limit, gap_limit=0.001)
    except SolveError as error:
        raise MatchmakingError("solver", detail=error.code) from None
    rows = tables_assign(
        problem, solution.meetings, kept_tables=extra["kept_tables"], previous_tables=extra["previous_tables"]
    )
    with transaction.atomic():
        run = SchedulerRun.objects.create(
            event=setup.event,
            created_by=actor,
            report=solution.report,
            stats=solution.stats,
            assignments=[list(r) for r in rows],
        )
        audit_log(
            actor=actor,
            action="meeting_run.create",
            target=run,
            data={"meetings": len(rows), "objective": solution.report.get("objective")},
        )
    return run


def run_publish(*, run: SchedulerRun, actor: User) -> SchedulerRun:
    """Book a run's schedule: the previous run's movable meetings that the run does not keep are
    cancelled (or moved, same pair), the new ones are created accepted. A run published before
    may be published again (a draft, or a superseded run).

    On commit: everyone whose meeting is new, moved or cancelled is notified; pages update live.
    Raises MatchmakingError: forbidden / run_not_draft / slot_taken (someone booked a cell since
    the run was computed: run it again).
    """
    if not can_manage(actor, run.event):
        raise MatchmakingError("forbidden")
    if run.status == SchedulerRun.Status.PUBLISHED:
        raise MatchmakingError("run_not_draft")
    event = run.event
    now = timezone.now()
    company_ids = sorted({row[1] for row in run.assignments})
    try:
        with transaction.atomic():
            # The global locking order: all companies, then all candidates, each by id.
            list(
                Participation.objects.select_for_update()
                .filter(event=event)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            list(
                Registration.objects.select_for_update()
                .filter(event=event, status="confirmed")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            current = {
                (m.candidate_id, m.company_id): m
                for m in Meeting.objects.select_for_update()
                .filter(event=event, status__in=ACTIVE, origin=Meeting.Origin.SCHEDULER, pinned=False)
                .select_related("slot", "table", "company", "candidate", "event")
            }
            wanted = {(c, k): (s, t) for c, k, s, t in run.assignments}
            changed, slots, tables = (
                [],
                {s.pk: s for s in Slot.objects.filter(event=event)},
                {t.pk: t for t in Table.objects.filter(event=event)},
            )
            # Free the cells first (cancel or park what moves), then book, so swaps work.
            moving = []
            for pair, meeting in current.items():
                if pair not in wanted:
                    meeting.status, meeting.decided_at = Meeting.Status.CANCELLED, now
                    meeting.sequence += 1
                    meeting.save(update_fields=["status", "decided_at", "sequence"])
                    effects.notify(meeting, "cancelled")
                    changed.append(meeting)
                elif (meeting.slot_id, meeting.table_id) != wanted[pair]:
                    meeting.status = Meeting.Status.CANCELLED  # parked for a moment, re-activated below
                    meeting.save(update_fields=["status"])
                    moving.append(meeting)
            for meeting in moving:
                s, t = wanted[(meeting.candidate_id, meeting.company_id)]
                previous = f"{meeting.slot} {meeting.table}"
                meeting.slot, meeting.table, meeting.status, meeting.run = (
                    slots[s],
                    tables[t],
                    Meeting.Status.ACCEPTED,
                    run,
                )
                meeting.sequence += 1
                meeting.save(update_fields=["slot", "table", "status", "run", "sequence"])
                effects.notify(meeting, "changed", previous=previous)
                changed.append(meeting)
            for (c, k), (s, t) in wanted.items():
                if (c, k) in current:
                    continue
                meeting = Meeting.objects.create(
                    event=event,
                    slot=slots[s],
                    table=tables[t],
                    company_id=k,
                    candidate_id=c,
                    status=Meeting.Status.ACCEPTED,
                    origin=Meeting.Origin.SCHEDULER,
                    run=run,
                    decided_at=now,
                )
                effects.notify(meeting, "scheduled")
                changed.append(meeting)
            setup = MeetingSetup.objects.select_related("event").get(pk=event.pk)
            if schedule_violations(setup):  # booked by hand since the run was computed: run it again
                raise MatchmakingError("slot_taken")
            SchedulerRun.objects.filter(event=event, status=SchedulerRun.Status.PUBLISHED).update(
                status=SchedulerRun.Status.SUPERSEDED
            )
            run.status, run.published_at = SchedulerRun.Status.PUBLISHED, now
            run.save(update_fields=["status", "published_at"])
            audit_log(
                actor=actor,
                action="meeting_run.publish",
                target=run,
                data={"changed": len(changed), "companies": len(company_ids)},
            )
            effects.changed(event.pk, changed)
    except IntegrityError:
        raise MatchmakingError("slot_taken") from None
    return run
