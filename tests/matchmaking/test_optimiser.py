"""The optimiser against brute force on tiny instances, and its rules one by one."""

import itertools
import random

import pytest

from matchmaking.scheduling import CandidateInfo, CompanyInfo, Problem, optimise, statistics, usable_slots, wish_weight

from .invariants import schedule_problems


def tiny(seed: int) -> Problem:
    rng = random.Random(seed)
    slots = [0, 1, 2]
    companies = {
        k: CompanyInfo(
            tables=rng.randint(1, 2),
            slots=set(rng.sample(slots, rng.randint(1, 3))),
            hall=rng.choice("AB"),
            maximum=rng.randint(1, 3),
        )
        for k in range(2)
    }
    for k, info in companies.items():
        info.table_ids = [k * 10 + i for i in range(info.tables)]
    candidates = {
        c: CandidateInfo(maximum=rng.randint(1, 2), busy={rng.choice(slots)} if rng.random() < 0.3 else set())
        for c in range(3)
    }
    wishes, mutual = {}, set()
    for c in candidates:
        for k in companies:
            a, b = rng.choice([None, 1, 2, 3]), rng.choice([None, None, 1, 3])
            if a or b:
                wishes[(c, k)] = wish_weight(a, b)
                if a and b:
                    mutual.add((c, k))
    previous = {}
    if seed % 3 == 0 and wishes:
        pair = sorted(wishes)[0]
        previous[pair] = rng.choice(slots)
    return Problem(
        slots=slots,
        adjacent={(0, 1), (1, 2)},
        companies=companies,
        candidates=candidates,
        wishes=wishes,
        mutual=mutual,
        previous=previous,
    )


def objective(problem: Problem, meetings) -> int:
    """The documented objective: interest + fairness per served company + stay per unmoved meeting."""
    big = 2 * problem.max_weight() + 1
    value = sum(problem.wishes[(c, k)] for c, k, _s in meetings)
    value += big * len({k for _c, k, _s in meetings})
    value += big * sum(1 for c, k, s in meetings if problem.previous.get((c, k)) == s)
    return value


def feasible(problem: Problem, meetings) -> bool:
    rows = []
    used = {}
    for c, k, s in meetings:  # any table of the company: interchangeable
        n = used.get((k, s), 0)
        if n >= problem.companies[k].tables:
            return False
        used[(k, s)] = n + 1
        rows.append((c, k, s, problem.companies[k].table_ids[n]))
    problems = schedule_problems(
        rows,
        present={k: i.slots for k, i in problem.companies.items()},
        tables_of={k: set(i.table_ids) for k, i in problem.companies.items()},
        hall_of_table={t: i.hall for i in problem.companies.values() for t in i.table_ids},
        busy={c: i.busy for c, i in problem.candidates.items()},
        max_candidate=10**6,
        max_company=10**6,
        adjacent=problem.adjacent,
    )
    over = any(sum(1 for m in meetings if m[0] == c) > i.maximum for c, i in problem.candidates.items()) or any(
        sum(1 for m in meetings if m[1] == k) > i.maximum for k, i in problem.companies.items()
    )
    return not problems and not over


def brute_force(problem: Problem) -> int:
    pairs = sorted(problem.wishes)
    best = 0
    for choice in itertools.product(*[[None, *problem.slots] for _ in pairs]):
        meetings = [(c, k, s) for (c, k), s in zip(pairs, choice) if s is not None]
        if feasible(problem, meetings):
            best = max(best, objective(problem, meetings))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_optimiser_matches_brute_force_on_tiny_instances(seed):
    problem = tiny(seed)
    if len(problem.wishes) > 5:  # 4^6 combinations and more: too slow for brute force here
        problem.wishes = dict(sorted(problem.wishes.items())[:5])
        problem.mutual &= set(problem.wishes)
        problem.previous = {p: s for p, s in problem.previous.items() if p in problem.wishes}
    solution = optimise(problem, time_limit=10, workers=1)
    assert solution.report["status"] == "optimal"
    assert solution.report["objective"] == brute_force(problem) == objective(problem, solution.meetings)


def two_companies(**extra) -> Problem:
    companies = {
        1: CompanyInfo(tables=1, slots={0}, table_ids=[10]),
        2: CompanyInfo(tables=1, slots={0}, table_ids=[20]),
    }
    base = dict(slots=[0], adjacent=set(), companies=companies, candidates={7: CandidateInfo(maximum=1)}, wishes={})
    base.update(extra)
    return Problem(**base)


def test_optimiser_prefers_a_mutual_wish_over_a_one_sided_priority_1():
    problem = two_companies(wishes={(7, 1): wish_weight(1, None), (7, 2): wish_weight(3, 3)}, mutual={(7, 2)})
    assert optimise(problem, time_limit=5).meetings == [(7, 2, 0)]


def test_optimiser_prefers_priority_1_over_priority_3():
    problem = two_companies(wishes={(7, 1): wish_weight(3, None), (7, 2): wish_weight(1, None)})
    assert optimise(problem, time_limit=5).meetings == [(7, 2, 0)]


def test_optimiser_gives_every_company_with_interest_a_meeting_where_possible():
    # Company 1 is everyone's favourite; without fairness it would take both slots' best pairs.
    companies = {
        1: CompanyInfo(tables=1, slots={0, 1}, table_ids=[10]),
        2: CompanyInfo(tables=1, slots={0, 1}, table_ids=[20]),
    }
    candidates = {7: CandidateInfo(maximum=1), 8: CandidateInfo(maximum=1)}
    wishes = {(7, 1): 12, (8, 1): 12, (8, 2): 1}
    problem = Problem(slots=[0, 1], adjacent=set(), companies=companies, candidates=candidates, wishes=wishes)
    met = {(c, k) for c, k, _s in optimise(problem, time_limit=5).meetings}
    assert met == {(7, 1), (8, 2)}


def test_optimiser_keeps_kept_meetings_and_works_around_them():
    problem = two_companies(wishes={(7, 1): 3, (7, 2): 3}, kept=[(7, 1, 0)])
    solution = optimise(problem, time_limit=5)
    assert solution.meetings == [] and statistics(problem, solution.meetings)["meetings"] == 1


def test_optimiser_rerun_keeps_previous_slots():
    companies = {1: CompanyInfo(tables=1, slots={0, 1}, table_ids=[10])}
    candidates = {7: CandidateInfo(), 8: CandidateInfo()}
    problem = Problem(
        slots=[0, 1],
        adjacent=set(),
        companies=companies,
        candidates=candidates,
        wishes={(7, 1): 3, (8, 1): 3},
        previous={(7, 1): 1, (8, 1): 0},
    )
    assert sorted(optimise(problem, time_limit=5).meetings) == [(7, 1, 1), (8, 1, 0)]


def test_usable_slots_skip_busy_and_travel_after_kept_meeting():
    companies = {
        1: CompanyInfo(tables=1, slots={0, 1, 2}, hall="A", table_ids=[10]),
        2: CompanyInfo(tables=1, slots={0, 1, 2}, hall="B", table_ids=[20]),
    }
    problem = Problem(
        slots=[0, 1, 2],
        adjacent={(0, 1), (1, 2)},
        companies=companies,
        candidates={7: CandidateInfo(busy={2})},
        wishes={(7, 1): 1, (7, 2): 1},
        kept=[(7, 1, 0)],
    )
    assert usable_slots(problem, 7, 2) == []  # 0 taken, 1 right after hall A, 2 busy
