"""Benchmark of the meeting optimiser against a first-come greedy baseline; prints ONE JSON line.

Instance (fixed seed): 1,000 candidates, 100 companies with 3 tables each in 4 halls, 16 slots
(two blocks of 8 back-to-back slots), about 5 wishes per candidate and 30 per company (part of
them returning a candidate's wish, so some are mutual), priorities 1–3, 10% of candidates with a
session elsewhere that clashes with 2–4 slots, at most 4 meetings per candidate and 40 per company.
Then a re-run after 5% of the interests changed, with the published schedule as "previous".

An independent validator (below; it shares no code with the app) re-checks every constraint of
every schedule. Run: .venv/bin/python bench/meeting_scheduler.py [--time-limit 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from matchmaking.scheduling import CandidateInfo, CompanyInfo, Problem, greedy, optimise, tables_assign, wish_weight

CANDIDATES, COMPANIES, TABLES, SLOTS, HALLS = 1000, 100, 3, 16, 4
MAX_CANDIDATE, MAX_COMPANY = 4, 40


def instance(seed: int = 20261201) -> tuple[Problem, dict, dict]:
    rng = random.Random(seed)
    slots = list(range(SLOTS))
    adjacent = {(s, s + 1) for s in slots[:-1] if s != SLOTS // 2 - 1}  # a lunch break after slot 7
    companies, table_id = {}, 0
    for k in range(COMPANIES):
        half = rng.random() < 0.2
        available = set(slots[:8] if rng.random() < 0.5 else slots[8:]) if half else set(slots)
        ids = list(range(table_id, table_id + TABLES))
        table_id += TABLES
        companies[k] = CompanyInfo(
            tables=TABLES, slots=available, hall="ABCD"[k % HALLS], maximum=MAX_COMPANY, table_ids=ids
        )
    candidates = {}
    for c in range(CANDIDATES):
        busy = set()
        if rng.random() < 0.10:
            start = rng.randrange(SLOTS - 4)
            busy = set(range(start, start + rng.randint(2, 4)))
        candidates[c] = CandidateInfo(maximum=MAX_CANDIDATE, busy=busy)
    popularity = [1.0 / (1 + k / 15) for k in range(COMPANIES)]  # some companies are in demand
    cand_prio, comp_prio = {}, {}
    for c in range(CANDIDATES):
        n = max(1, min(8, int(rng.gauss(5, 1.5))))
        for k in set(rng.choices(range(COMPANIES), weights=popularity, k=n)):
            cand_prio[(c, k)] = rng.randint(1, 3)
    wished_by = defaultdict(list)
    for c, k in cand_prio:
        wished_by[k].append(c)
    for k in range(COMPANIES):
        n = max(5, min(60, int(rng.gauss(30, 6))))
        fans = wished_by[k]
        back = rng.sample(fans, min(len(fans), int(n * 0.4)))
        picks = set(back)
        while len(picks) < n:
            picks.add(rng.randrange(CANDIDATES))
        for c in picks:
            comp_prio[(c, k)] = rng.randint(1, 3)
    return _problem(slots, adjacent, companies, candidates, cand_prio, comp_prio), cand_prio, comp_prio


def _problem(slots, adjacent, companies, candidates, cand_prio, comp_prio, previous=None) -> Problem:
    pairs = set(cand_prio) | set(comp_prio)
    wishes = {p: wish_weight(cand_prio.get(p), comp_prio.get(p)) for p in pairs}
    return Problem(
        slots=slots,
        adjacent=adjacent,
        companies=companies,
        candidates=candidates,
        wishes=wishes,
        mutual=set(cand_prio) & set(comp_prio),
        previous=previous or {},
    )


def validate(problem: Problem, meetings: list) -> list[str]:
    """Every rule, checked from scratch on (candidate, company, slot, table) rows."""
    errors = []
    seen_pair, cand_slot, table_slot = Counter(), Counter(), Counter()
    per_c, per_k, per_ks = Counter(), Counter(), Counter()
    where = {}
    owner = {t: k for k, info in problem.companies.items() for t in info.table_ids}
    for c, k, s, t in meetings:
        if (c, k) not in problem.wishes:
            errors.append(f"unwished pair {c},{k}")
        if s not in problem.companies[k].slots:
            errors.append(f"company {k} absent in slot {s}")
        if s in problem.candidates[c].busy:
            errors.append(f"candidate {c} has a clashing session in slot {s}")
        if owner.get(t) != k:
            errors.append(f"table {t} is not company {k}'s")
        seen_pair[(c, k)] += 1
        cand_slot[(c, s)] += 1
        table_slot[(t, s)] += 1
        per_c[c] += 1
        per_k[k] += 1
        per_ks[(k, s)] += 1
        where[(c, s)] = problem.companies[k].hall
    errors += [f"pair {p} meets {n} times" for p, n in seen_pair.items() if n > 1]
    errors += [f"candidate double-booked {p}" for p, n in cand_slot.items() if n > 1]
    errors += [f"table double-booked {p}" for p, n in table_slot.items() if n > 1]
    errors += [f"candidate {c} over maximum" for c, n in per_c.items() if n > problem.candidates[c].maximum]
    errors += [f"company {k} over maximum" for k, n in per_k.items() if n > problem.companies[k].maximum]
    errors += [f"company {k} over tables in {s}" for (k, s), n in per_ks.items() if n > problem.companies[k].tables]
    for a, b in problem.adjacent:
        for (c, s), hall in where.items():
            if s == a and (c, b) in where and where[(c, b)] != hall:
                errors.append(f"candidate {c} changes hall between back-to-back slots {a} and {b}")
    return errors


def figures(problem: Problem, solution, tables: list) -> dict:
    s = solution.stats
    out = {
        "seconds": round(solution.report.get("seconds", 0.0), 2),
        "meetings": s["meetings"],
        "weight": s["weight"],
        "mutual_share": s["mutual_share"],
        "candidates_with_meeting_share": s["candidates_with_meeting_share"],
        "companies_without_meeting": s["companies_without_meeting"],
        "violations": len(validate(problem, tables)),
    }
    for key in ("objective", "bound", "gap", "status", "lp_bound", "lp_seconds", "solver_seconds", "variables"):
        if key in solution.report:
            value = solution.report[key]
            out[key] = round(value, 6) if isinstance(value, float) else value
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--gap", type=float, default=0.005, help="stop once within this relative gap of the bound")
    args = parser.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    problem, cand_prio, comp_prio = instance(args.seed)
    started = time.perf_counter()
    best = optimise(problem, time_limit=args.time_limit, workers=2, seed=0, gap_limit=args.gap)
    best_tables = tables_assign(problem, best.meetings)
    base = greedy(problem, seed=args.seed)
    base_tables = tables_assign(problem, base.meetings)

    # Re-run: 5% of the interests change (some withdrawn, as many new ones), the published
    # schedule is "previous".
    rng = random.Random(args.seed + 1)
    cand_prio, comp_prio = dict(cand_prio), dict(comp_prio)
    change = int(0.05 * (len(cand_prio) + len(comp_prio)))
    for _ in range(change // 2):
        side = cand_prio if rng.random() < 0.6 else comp_prio
        side.pop(rng.choice(list(side)))
    for _ in range(change - change // 2):
        (cand_prio if rng.random() < 0.6 else comp_prio)[(rng.randrange(CANDIDATES), rng.randrange(COMPANIES))] = (
            rng.randint(1, 3)
        )
    previous = {(c, k): s for c, k, s in best.meetings}
    again_problem = _problem(
        problem.slots, problem.adjacent, problem.companies, problem.candidates, cand_prio, comp_prio, previous
    )
    again = optimise(again_problem, time_limit=args.time_limit, workers=2, seed=0, gap_limit=args.gap)
    again_tables = tables_assign(
        again_problem, again.meetings, previous_tables={(c, k): t for c, k, s, t in best_tables}
    )
    now = {(c, k): s for c, k, s in again.meetings}
    still_wished = [p for p in previous if p in again_problem.wishes]
    moved = sum(1 for p in still_wished if now.get(p) != previous[p])
    withdrawn = len(previous) - len(still_wished)

    result = {
        "instance": {
            "candidates": CANDIDATES,
            "companies": COMPANIES,
            "tables_per_company": TABLES,
            "slots": SLOTS,
            "halls": HALLS,
            "wishes": len(problem.wishes),
            "mutual_wishes": len(problem.mutual),
            "candidate_wishes_per_candidate": round(len(cand_prio) / CANDIDATES, 2),
            "clashing_candidates": sum(1 for c in problem.candidates.values() if c.busy),
        },
        "optimiser": figures(problem, best, best_tables),
        "greedy": figures(problem, base, base_tables),
        "weight_gain_over_greedy": round(best.stats["weight"] / base.stats["weight"] - 1, 4),
        "rerun": {
            **figures(again_problem, again, again_tables),
            "interests_changed": change,
            "published": len(previous),
            "moved": moved,
            "dropped_withdrawn": withdrawn,
            "moved_share": round(moved / len(previous), 4),
        },
        "total_seconds": round(time.perf_counter() - started, 2),
        # The machine is shared: wall-clock figures mean little without the load they ran under.
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
