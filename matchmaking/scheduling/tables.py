"""Table numbers after solving: the optimiser only counts a company's tables per slot."""

from __future__ import annotations

from collections import defaultdict

from .problem import Problem


def tables_assign(
    problem: Problem, meetings: list, *, kept_tables: dict | None = None, previous_tables: dict | None = None
) -> list:
    """[(candidate, company, slot, table)] for `meetings`.

    `kept_tables`: (company, slot) -> tables already taken there (kept meetings).
    `previous_tables`: (candidate, company) -> the table the pair had before, preferred so that a
    re-run that keeps a meeting's slot keeps its table too.
    """
    kept_tables = kept_tables or {}
    previous_tables = previous_tables or {}
    taken = defaultdict(set)
    for key, tables in kept_tables.items():
        taken[key] |= set(tables)
    result = []
    # Pairs with a preferred table first, so a newcomer does not take it.
    ordered = sorted(meetings, key=lambda m: 0 if (m[0], m[1]) in previous_tables else 1)
    for candidate, company, slot in ordered:
        free = [t for t in problem.companies[company].table_ids if t not in taken[(company, slot)]]
        if not free:
            raise ValueError(f"no table left for company {company} in slot {slot}")
        wanted = previous_tables.get((candidate, company))
        table = wanted if wanted in free else free[0]
        taken[(company, slot)].add(table)
        result.append((candidate, company, slot, table))
    return result
