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


class _StopNearBound(cp_model.CpSolverSolutionCallback):
    """Stops the search once a solution is within `gap_limit` of a bound proven elsewhere (an
    LP relaxation): CP-SAT's own bound may stay loose long after the solution is good enough."""

    def __init__(self, known_bound: float, gap_limit: float, maximize: bool):
        super().__init__()
        self.known_bound, self.gap_limit, self.maximize = known_bound, gap_limit, maximize

    def on_solution_callback(self):
        objective = self.ObjectiveValue()
        gap = (self.known_bound - objective) if self.maximize else (objective - self.known_bound)
        if gap <= self.gap_limit * max(abs(self.known_bound), abs(objective), 1e-9):
            self.StopSearch()


def solve(
    model: cp_model.CpModel,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    log: bool = False,
    known_bound: float | None = None,
    gap_limit: float | None = None,
    parameters: dict | None = None,
) -> tuple[cp_model.CpSolver, SolveReport]:
    """Solve `model`; return the solver (to read values) and a report.

    `known_bound`: a bound on the objective proven outside CP-SAT (e.g. an LP relaxation's
    optimum); the report's bound and gap use whichever bound is tighter. `gap_limit`: stop as
    soon as the relative gap (to that tighter bound) is at most this, instead of at the time limit.
    `parameters`: further CP-SAT parameters by name (e.g. {"cp_model_presolve": False}).
    Raises SolveError("infeasible") when the model cannot be satisfied and
    SolveError("timeout") when no solution was found within `time_limit` seconds.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_search_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log)
    for name, value in (parameters or {}).items():
        setattr(solver.parameters, name, value)
    maximize = model.Proto().objective.scaling_factor < 0
    callback = None
    if gap_limit is not None:
        solver.parameters.relative_gap_limit = float(gap_limit)
        if known_bound is not None:
            callback = _StopNearBound(known_bound, gap_limit, maximize)
    started = time.perf_counter()
    status = solver.Solve(model, callback) if callback else solver.Solve(model)
    seconds = time.perf_counter() - started
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        raise SolveError("infeasible", solver.StatusName(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolveError("timeout", solver.StatusName(status))
    objective = solver.ObjectiveValue()
    bound = solver.BestObjectiveBound()
    if known_bound is not None and status != cp_model.OPTIMAL:
        bound = min(bound, known_bound) if maximize else max(bound, known_bound)
    denominator = max(abs(objective), abs(bound), 1e-9)
    gap = 0.0 if status == cp_model.OPTIMAL or bound == objective else abs(bound - objective) / denominator
    return solver, SolveReport(
        status="optimal" if gap == 0.0 else "feasible",  # proven by CP-SAT or by the known bound
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        workers=solver.parameters.num_search_workers,
    )
