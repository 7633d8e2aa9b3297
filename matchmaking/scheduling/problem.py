"""The meeting-scheduling problem as plain data (no database), shared by the optimiser, the
greedy baseline, the tests and the benchmark.

Ids are whatever the caller uses (database ids in the app, small integers in tests). A wish is
an unordered (candidate, company) pair with a weight: the priorities of the sides that asked,
doubled when both did, so any mutual wish outweighs any one-sided one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Priority 1 is the strongest wish.
PRIORITY_WEIGHT = {1: 3, 2: 2, 3: 1}


def wish_weight(candidate_priority: int | None, company_priority: int | None) -> int:
    """Weight of a pair: a mutual wish (both priorities given) always beats a one-sided one:
    the smallest mutual weight (2·(1+1) = 4) exceeds the largest one-sided weight (3)."""
    parts = [PRIORITY_WEIGHT[p] for p in (candidate_priority, company_priority) if p]
    if not parts:
        return 0
    return sum(parts) * (2 if len(parts) == 2 else 1)


@dataclass
class CompanyInfo:
    tables: int  # meetings it can hold in parallel
    slots: set  # slots it is there for
    hall: str = "A"  # where its tables are (for the travel rule)
    maximum: int = 10**6  # meetings in total
    table_ids: list = field(default_factory=list)  # filled by the app; the order is the preference


@dataclass
class CandidateInfo:
    maximum: int = 10**6
    busy: set = field(default_factory=set)  # slots that overlap something else they are confirmed for


@dataclass
class Problem:
    slots: list  # slot ids in time order
    adjacent: set  # (earlier, later) slots back to back, no break between
    companies: dict  # company id -> CompanyInfo
    candidates: dict  # candidate id -> CandidateInfo
    wishes: dict  # (candidate, company) -> weight > 0
    mutual: set = field(default_factory=set)  # (candidate, company) pairs both sides wished
    kept: list = field(default_factory=list)  # (candidate, company, slot) fixed meetings
    previous: dict = field(default_factory=dict)  # (candidate, company) -> slot published before

    def max_weight(self) -> int:
        return max(self.wishes.values(), default=1)


@dataclass
class Solution:
    meetings: list  # (candidate, company, slot), the new ones (kept excluded)
    report: dict  # objective, bound, gap, seconds, status, engine
    stats: dict = field(default_factory=dict)


def usable_slots(problem: Problem, candidate, company) -> list:
    """The slots where the pair could meet given availability, busy time and kept meetings
    (the solver's variables; the greedy baseline tries them in this order)."""
    info_k = problem.companies.get(company)
    info_c = problem.candidates.get(candidate)
    if info_k is None or info_c is None:
        return []
    taken_c, halls_c, used_k = _kept_index(problem)
    result = []
    for slot in problem.slots:
        if slot not in info_k.slots or slot in info_c.busy or (candidate, slot) in taken_c:
            continue
        if used_k.get((company, slot), 0) >= info_k.tables:
            continue
        if any(halls_c.get((candidate, other), info_k.hall) != info_k.hall for other in _neighbours(problem, slot)):
            continue
        result.append(slot)
    return result


def _neighbours(problem: Problem, slot) -> list:
    return [b for a, b in problem.adjacent if a == slot] + [a for a, b in problem.adjacent if b == slot]


def _kept_index(problem: Problem):
    # Cached on the instance: called once per pair.
    cached = getattr(problem, "_kept_cache", None)
    if cached is not None:
        return cached
    taken_c, halls_c, used_k = set(), {}, {}
    for candidate, company, slot in problem.kept:
        taken_c.add((candidate, slot))
        halls_c[(candidate, slot)] = problem.companies[company].hall if company in problem.companies else None
        used_k[(company, slot)] = used_k.get((company, slot), 0) + 1
    problem._kept_cache = (taken_c, halls_c, used_k)
    return problem._kept_cache


def kept_counts(problem: Problem) -> tuple[dict, dict]:
    per_c, per_k = {}, {}
    for candidate, company, _slot in problem.kept:
        per_c[candidate] = per_c.get(candidate, 0) + 1
        per_k[company] = per_k.get(company, 0) + 1
    return per_c, per_k


def statistics(problem: Problem, meetings: list) -> dict:
    """Preview figures of a schedule (new meetings plus the kept ones)."""
    everything = list(meetings) + list(problem.kept)
    pairs = {(c, k) for c, k, _s in everything}
    weight = sum(problem.wishes.get(p, 0) for p in pairs)
    mutual_met = len(pairs & problem.mutual)
    companies_with_interest = {k for _c, k in problem.wishes}
    served = {k for _c, k, _s in everything}
    candidates_with_interest = {c for c, _k in problem.wishes}
    moved = sum(
        1
        for pair, slot in problem.previous.items()
        if pair in problem.wishes and not any((c, k) == pair and s == slot for c, k, s in everything)
    )
    per_company: dict = {}
    for _c, k, _s in everything:
        per_company[k] = per_company.get(k, 0) + 1
    return {
        "meetings": len(everything),
        "weight": weight,
        "mutual_met": mutual_met,
        "mutual_wishes": len(problem.mutual),
        "mutual_share": round(mutual_met / len(problem.mutual), 4) if problem.mutual else None,
        "candidates_with_meeting_share": (
            round(len({c for c, _k, _s in everything} & candidates_with_interest) / len(candidates_with_interest), 4)
            if candidates_with_interest
            else None
        ),
        "companies_without_meeting": len(companies_with_interest - served),
        "unmet_wishes": len(problem.wishes) - len(pairs & set(problem.wishes)),
        "moved": moved,
        "previous": len(problem.previous),
        "max_per_company": max(per_company.values(), default=0),
    }
