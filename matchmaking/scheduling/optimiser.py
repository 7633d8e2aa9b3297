"""The optimiser: CP-SAT (through events.solving) on wished pairs × usable slots.

Objective, maximised:
  Σ weight(pair)·x                     satisfied interest (mutual > one-sided, priority 1 > 3)
+ FAIRNESS·Σ served(company)           a company's first meeting is worth more than any other
                                       single meeting, so nobody with interest goes away with
                                       nothing while another company gets one more
+ STAY·Σ x[pair, previous slot]        on a re-run, a published meeting that stays where it was

Why the LP first (docs/matchmaking.md, TESTING.md): on 1,000 × 100 × 16 CP-SAT alone left a 7%
gap after two minutes on two cores. The LP relaxation (GLOP, about a second) gives a bound that
is nearly tight, which we add as a constraint, and an order in which a greedy pass builds a
feasible starting solution for AddHint. Tables of one company are interchangeable, so the model
only counts them (≤ tables per company and slot); table numbers are handed out afterwards.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from events.solving import SolveError, solve

from .problem import Problem, Solution, kept_counts, statistics, usable_slots


class _Index:
    """The variables' skeleton, shared by the LP and the CP model."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.keys = []  # (candidate, company, slot)
        kept_pairs = {(c, k) for c, k, _s in problem.kept}
        for (candidate, company), weight in problem.wishes.items():
            if weight <= 0 or (candidate, company) in kept_pairs:  # a pair meets once
                continue
            for slot in usable_slots(problem, candidate, company):
                self.keys.append((candidate, company, slot))
        self.by_pair = defaultdict(list)
        self.by_cs = defaultdict(list)
        self.by_ks = defaultdict(list)
        self.by_c = defaultdict(list)
        self.by_k = defaultdict(list)
        for i, (c, k, s) in enumerate(self.keys):
            self.by_pair[(c, k)].append(i)
            self.by_cs[(c, s)].append(i)
            self.by_ks[(k, s)].append(i)
            self.by_c[c].append(i)
            self.by_k[k].append(i)
        self.kept_c, self.kept_k = kept_counts(problem)
        self.kept_ks = defaultdict(int)
        for _c, k, s in problem.kept:
            self.kept_ks[(k, s)] += 1
        served = {k for _c, k, _s in problem.kept}
        self.fair_companies = [k for k in self.by_k if k not in served]
        mw = problem.max_weight()
        self.fairness = 2 * mw + 1
        self.stay = 2 * mw + 1
        self.coef = []
        for c, k, s in self.keys:
            coef = problem.wishes[(c, k)]
            if problem.previous.get((c, k)) == s:
                coef += self.stay
            self.coef.append(coef)

    def rows(self):
        """Every ≤ constraint as (indices, limit); travel rows come separately."""
        p = self.problem
        for idx in self.by_pair.values():
            if len(idx) > 1:
                yield idx, 1
        for idx in self.by_cs.values():
            if len(idx) > 1:
                yield idx, 1
        for (k, s), idx in self.by_ks.items():
            limit = p.companies[k].tables - self.kept_ks[(k, s)]
            if len(idx) > limit:
                yield idx, limit
        for c, idx in self.by_c.items():
            limit = p.candidates[c].maximum - self.kept_c.get(c, 0)
            if len(idx) > limit:
                yield idx, max(0, limit)
        for k, idx in self.by_k.items():
            limit = p.companies[k].maximum - self.kept_k.get(k, 0)
            if len(idx) > limit:
                yield idx, max(0, limit)

    def travel_rows(self):
        """Back-to-back slots s → t: a candidate at a table in hall h in s is not in another hall in t."""
        p = self.problem
        halls = {k: info.hall for k, info in p.companies.items()}
        if len(set(halls.values())) < 2:
            return
        for s, t in p.adjacent:
            for c in p.candidates:
                first, second = self.by_cs.get((c, s), []), self.by_cs.get((c, t), [])
                if not first or not second:
                    continue
                for hall in {halls[self.keys[i][1]] for i in first}:
                    here = [i for i in first if halls[self.keys[i][1]] == hall]
                    elsewhere = [i for i in second if halls[self.keys[i][1]] != hall]
                    if elsewhere:
                        yield here + elsewhere, 1


def _lp(index: _Index, time_limit: float):
    # RowConstraint/SetCoefficient rather than Python expressions: ten times faster to build at
    # 100k variables.
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(int(time_limit * 1000))
    infinity = solver.infinity()
    xs = [solver.NumVar(0, 1, "") for _ in index.keys]
    zs = {k: solver.NumVar(0, 1, "") for k in index.fair_companies}
    for idx, limit in list(index.rows()) + list(index.travel_rows()):
        row = solver.RowConstraint(-infinity, limit, "")
        for i in idx:
            row.SetCoefficient(xs[i], 1)
    for k, z in zs.items():
        row = solver.RowConstraint(-infinity, 0, "")  # z - Σ x[k] ≤ 0
        row.SetCoefficient(z, 1)
        for i in index.by_k[k]:
            row.SetCoefficient(xs[i], -1)
    objective = solver.Objective()
    for i, coef in enumerate(index.coef):
        if coef:
            objective.SetCoefficient(xs[i], coef)
    for z in zs.values():
        objective.SetCoefficient(z, index.fairness)
    objective.SetMaximization()
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return None, None
    return objective.Value(), [x.solution_value() for x in xs]


def _greedy_in_order(index: _Index, order: list[int]) -> list[int]:
    """A feasible 0/1 vector: take the variables in `order`, each if every row still allows it."""
    rows = list(index.rows()) + list(index.travel_rows())
    limits = [limit for _idx, limit in rows]
    rows_of = defaultdict(list)
    for r, (idx, _limit) in enumerate(rows):
        for i in idx:
            rows_of[i].append(r)
    used = [0] * len(rows)
    chosen = [0] * len(index.keys)
    for i in order:
        if all(used[r] < limits[r] for r in rows_of[i]):
            chosen[i] = 1
            for r in rows_of[i]:
                used[r] += 1
    return chosen


def optimise(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    use_lp: bool = True,
    gap_limit: float | None = None,
    parameters: dict | None = None,
) -> Solution:
    """The best schedule within `time_limit`, or the first within `gap_limit` (relative) of the
    bound. Raises events.solving.SolveError (timeout/infeasible)."""
    started = time.perf_counter()
    index = _Index(problem)
    if not index.keys:
        return Solution(
            meetings=[],
            report={
                "status": "optimal",
                "objective": 0.0,
                "bound": 0.0,
                "gap": 0.0,
                "seconds": 0.0,
                "engine": "cp-sat",
                "variables": 0,
            },
            stats=statistics(problem, []),
        )
    lp_bound, lp_values = (None, None)
    lp_started = time.perf_counter()
    if use_lp:
        # Most of the budget: without the LP's bound and hint CP-SAT does far worse with the rest.
        lp_bound, lp_values = _lp(index, max(1.0, time_limit * 0.7))
    lp_seconds = round(time.perf_counter() - lp_started, 2)
    model = cp_model.CpModel()
    xs = [model.NewBoolVar("") for _ in index.keys]
    zs = {k: model.NewBoolVar("") for k in index.fair_companies}
    for idx, limit in list(index.rows()) + list(index.travel_rows()):
        if limit == 1:
            model.AddAtMostOne([xs[i] for i in idx])
        else:
            model.Add(cp_model.LinearExpr.Sum([xs[i] for i in idx]) <= limit)
    for k, z in zs.items():
        model.AddBoolOr([xs[i] for i in index.by_k[k]]).OnlyEnforceIf(z)
    terms = [(xs[i], c) for i, c in enumerate(index.coef) if c] + [(z, index.fairness) for z in zs.values()]
    objective = cp_model.LinearExpr.WeightedSum([v for v, _c in terms], [c for _v, c in terms])
    model.Maximize(objective)
    if lp_values is not None:
        # The LP optimum bounds the integer optimum; the coefficients are integers, so its floor does.
        model.Add(objective <= math.floor(lp_bound + 1e-6))
        order = sorted(range(len(xs)), key=lambda i: (-lp_values[i], -index.coef[i], i))
        hint = _greedy_in_order(index, order)
        for x, value in zip(xs, hint):
            model.AddHint(x, value)
        served = defaultdict(int)
        for i, value in enumerate(hint):
            served[index.keys[i][1]] += value
        for k, z in zs.items():
            model.AddHint(z, 1 if served[k] else 0)
    remaining = max(1.0, time_limit - (time.perf_counter() - started))
    known = math.floor(lp_bound + 1e-6) if lp_bound is not None else None
    if parameters is None and lp_values is not None:
        # With a feasible hint and the LP's bound, CP-SAT's presolve is the slow part (20 s of
        # 21 on the bench instance) and buys nothing: off by default.
        parameters = {"cp_model_presolve": False}
    solver, report = solve(
        model,
        time_limit=remaining,
        workers=workers,
        seed=seed,
        known_bound=known,
        gap_limit=gap_limit,
        parameters=parameters,
    )
    meetings = [index.keys[i] for i, x in enumerate(xs) if solver.BooleanValue(x)]
    figures = report.as_dict()
    figures.update(
        engine="cp-sat" + ("+glop" if lp_values is not None else ""),
        variables=len(xs),
        lp_bound=lp_bound,
        lp_seconds=lp_seconds,
        seconds=time.perf_counter() - started,
        solver_seconds=report.seconds,
    )
    return Solution(meetings=meetings, report=figures, stats=statistics(problem, meetings))


def greedy(problem: Problem, *, seed: int = 0) -> Solution:
    """First come, first served, as request/accept tools book: wishes arrive in a random order
    (fixed by `seed`) and each takes the earliest slot where both sides and a table are free."""
    import random

    started = time.perf_counter()
    index = _Index(problem)
    pairs = sorted(index.by_pair)
    random.Random(seed).shuffle(pairs)
    order = [
        i for pair in pairs for i in sorted(index.by_pair[pair], key=lambda i: problem.slots.index(index.keys[i][2]))
    ]
    chosen = _greedy_in_order(index, order)
    meetings = [index.keys[i] for i, v in enumerate(chosen) if v]
    return Solution(
        meetings=meetings,
        report={"engine": "greedy", "seconds": time.perf_counter() - started},
        stats=statistics(problem, meetings),
    )


__all__ = ["SolveError", "greedy", "optimise"]
