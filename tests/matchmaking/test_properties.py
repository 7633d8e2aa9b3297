"""Invariants as properties (hypothesis): on every booking path, in any order, and on every
schedule the optimiser or the baseline returns, nobody and no table is double-booked, slots,
capacities and maximums hold, and sessions elsewhere are never overlapped."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Registration
from matchmaking.errors import MatchmakingError
from matchmaking.models import Interest, Meeting, Table
from matchmaking.scheduling import CandidateInfo, CompanyInfo, Problem, greedy, optimise, tables_assign, wish_weight
from matchmaking.services import meeting_answer, meeting_cancel, meeting_move, meeting_request, run_create, run_publish

from ..factories import EventFactory, SessionFactory
from .factories import company_at, confirmed_candidate, matchmaking_event, slots_of
from .invariants import db_problems, schedule_problems

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


# --- the optimiser and the baseline, on random instances (no database) -------------------------


@st.composite
def problems(draw):
    n_slots = draw(st.integers(2, 5))
    slots = list(range(n_slots))
    gap_after = draw(st.integers(0, n_slots - 1))
    adjacent = {(s, s + 1) for s in slots[:-1] if s != gap_after}
    n_companies = draw(st.integers(1, 4))
    companies, tid = {}, 0
    for k in range(n_companies):
        tables = draw(st.integers(1, 2))
        present = set(draw(st.lists(st.sampled_from(slots), min_size=1, unique=True)))
        companies[k] = CompanyInfo(
            tables=tables,
            slots=present,
            hall=draw(st.sampled_from("AB")),
            maximum=draw(st.integers(1, 6)),
            table_ids=list(range(tid, tid + tables)),
        )
        tid += tables
    n_candidates = draw(st.integers(1, 6))
    candidates = {
        100 + c: CandidateInfo(
            maximum=draw(st.integers(1, 3)), busy=set(draw(st.lists(st.sampled_from(slots), max_size=2, unique=True)))
        )
        for c in range(n_candidates)
    }
    wishes, mutual = {}, set()
    for c in candidates:
        for k in companies:
            a, b = draw(st.sampled_from([None, 1, 2, 3])), draw(st.sampled_from([None, 1, 2, 3]))
            if a or b:
                wishes[(c, k)] = wish_weight(a, b)
                if a and b:
                    mutual.add((c, k))
    return Problem(
        slots=slots, adjacent=adjacent, companies=companies, candidates=candidates, wishes=wishes, mutual=mutual
    )


def _problems_of(problem, rows):
    return (
        schedule_problems(
            rows,
            present={k: i.slots for k, i in problem.companies.items()},
            tables_of={k: set(i.table_ids) for k, i in problem.companies.items()},
            hall_of_table={t: i.hall for i in problem.companies.values() for t in i.table_ids},
            busy={c: i.busy for c, i in problem.candidates.items()},
            max_candidate=10**6,
            max_company=10**6,
            adjacent=problem.adjacent,
            wished=set(problem.wishes),
        )
        + [
            f"candidate {c} over its max"
            for c, i in problem.candidates.items()
            if sum(1 for r in rows if r[0] == c) > i.maximum
        ]
        + [
            f"company {k} over its max"
            for k, i in problem.companies.items()
            if sum(1 for r in rows if r[1] == k) > i.maximum
        ]
    )


@PROPERTY
@given(problems())
def test_optimiser_schedule_keeps_every_rule(problem):
    solution = optimise(problem, time_limit=10, workers=1)
    assert _problems_of(problem, tables_assign(problem, solution.meetings)) == []


@PROPERTY
@given(problems())
def test_greedy_schedule_keeps_every_rule_and_never_beats_the_optimiser(problem):
    base = greedy(problem, seed=1)
    best = optimise(problem, time_limit=10, workers=1)
    assert _problems_of(problem, tables_assign(problem, base.meetings)) == []
    assert best.report["status"] == "optimal"

    def objective(stats):  # interest met + the fairness term (no previous run here)
        served = len({k for _c, k in problem.wishes}) - stats["companies_without_meeting"]
        return stats["weight"] + (2 * problem.max_weight() + 1) * served

    assert best.report["objective"] == objective(best.stats) >= objective(base.stats)


# --- every booking path, in any order, on the database ------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["ask_c", "ask_k", "accept", "decline", "cancel", "move", "run"]),
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=12,
)


def _world():
    setup = matchmaking_event(slots=3, max_candidate=2, max_company=4)
    a = company_at(setup, tables=1, hall="A")
    b = company_at(setup, tables=2, hall="B", slots=slots_of(setup)[1:])
    people = [confirmed_candidate(setup) for _ in range(3)]
    slot = slots_of(setup)[0]
    other = EventFactory(starts_at=slot.starts_at - timedelta(hours=1), ends_at=slot.ends_at + timedelta(hours=1))
    SessionFactory(event=other, starts_at=slot.starts_at, ends_at=slot.ends_at)
    Registration.objects.create(event=other, user=people[2], status="confirmed")  # busy in slot 0
    for person in people:
        for company, _rep in (a, b):
            Interest.objects.create(event=setup.event, company=company, candidate=person, side="candidate", priority=1)
    return setup, [a, b], people


@pytest.mark.django_db
@PROPERTY
@given(OPS)
def test_every_booking_path_keeps_every_rule(ops):
    setup, companies, people = _world()
    slots = slots_of(setup)
    tables = list(Table.objects.filter(event=setup.event))
    for op, i, j, n in ops:
        (company, rep), person, slot = companies[i % 2], people[j % 3], slots[n % 3]
        meetings = list(Meeting.objects.filter(event=setup.event).order_by("pk"))
        meeting = meetings[(i + j + n) % len(meetings)] if meetings else None
        try:
            if op == "ask_c":
                meeting_request(slot=slot, company_id=company.pk, candidate=person, actor=person, side="candidate")
            elif op == "ask_k":
                meeting_request(slot=slot, company_id=company.pk, candidate=person, actor=rep, side="company")
            elif op in ("accept", "decline") and meeting:
                actor = (
                    meeting.candidate
                    if meeting.requested_by_side == "company"
                    else next(r for c, r in companies if c.pk == meeting.company_id)
                )
                meeting_answer(meeting=meeting, actor=actor, accept=op == "accept")
            elif op == "cancel" and meeting:
                meeting_cancel(meeting=meeting, actor=setup.boss)
            elif op == "move" and meeting:
                meeting_move(meeting=meeting, slot=slot, table=tables[(i + n) % len(tables)], actor=setup.boss)
            elif op == "run":
                run_publish(run=run_create(setup=setup, actor=setup.boss, time_limit=5), actor=setup.boss)
        except MatchmakingError:
            pass
        assert db_problems(setup) == [], (op, i, j, n)
