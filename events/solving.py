"""One way to run OR-Tools CP-SAT for every app that assigns or schedules (meetings, judges).

Why here: matchmaking and competitions both solve, neither may import the other, and both
already depend on events. The wrapper fixes what every caller would otherwise repeat: a time
limit, a worker count that fits the 2-core machines, a seed so runs repeat, and a report that
states the objective, the proven bound and the gap in the same shape everywhere.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from ortools.sat.python import cp_model


class SolveError(Exception):
    """The model has no solution (infeasible) or none was found within the time limit."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class SolveReport:
    status: str  # "optimal" or "feasible"
    objective: float
    bound: float
    gap: float  # relative, 0.0 when proven optimal
    seconds: float
    workers: int

    def as_dict(self) -> dict:
        return asdict(self)


def solve(model: cp_model.CpModel, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
          log: bool = False) -> tuple[cp_model.CpSolver, SolveReport]:
    """Solve `model`; return the solver (to read values) and a report.

    Raises SolveError("infeasible") when the model cannot be satisfied and
    SolveError("timeout") when no solution was found within `time_limit` seconds.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_search_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log)
    started = time.perf_counter()
    status = solver.Solve(model)
    seconds = time.perf_counter() - started
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        raise SolveError("infeasible", solver.StatusName(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolveError("timeout", solver.StatusName(status))
    objective = solver.ObjectiveValue()
    bound = solver.BestObjectiveBound()
    denominator = max(abs(objective), abs(bound), 1e-9)
    gap = 0.0 if status == cp_model.OPTIMAL else abs(bound - objective) / denominator
    return solver, SolveReport(
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=objective, bound=bound, gap=gap, seconds=seconds, workers=solver.parameters.num_search_workers,
    )
