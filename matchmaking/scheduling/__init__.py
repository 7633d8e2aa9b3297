"""Scheduling meetings: the problem as plain data, the optimiser and a greedy baseline, and
(tables.py) handing out table numbers after solving."""

from .optimiser import SolveError, greedy, optimise
from .problem import CandidateInfo, CompanyInfo, Problem, Solution, statistics, usable_slots, wish_weight
from .tables import tables_assign

__all__ = [
    "CandidateInfo",
    "CompanyInfo",
    "Problem",
    "Solution",
    "SolveError",
    "greedy",
    "optimise",
    "statistics",
    "tables_assign",
    "usable_slots",
    "wish_weight",
]
