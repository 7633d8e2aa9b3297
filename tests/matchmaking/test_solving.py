"""The backwards-compatible extensions of events.solving.solve that the optimiser uses."""

from ortools.sat.python import cp_model

from events.solving import solve


def knapsack():
    model = cp_model.CpModel()
    xs = [model.NewBoolVar(f"x{i}") for i in range(12)]
    weights = [3, 5, 7, 2, 9, 4, 6, 8, 1, 5, 7, 3]
    model.Add(sum(w * x for w, x in zip(weights, xs)) <= 20)
    model.Maximize(sum((w + i % 3) * x for i, (w, x) in enumerate(zip(weights, xs))))
    return model


def test_solve_without_extensions_is_unchanged():
    _solver, report = solve(knapsack(), time_limit=5, workers=1)
    assert (report.status, report.gap) == ("optimal", 0.0)


def test_solve_with_a_known_bound_reports_the_tighter_bound_and_stops_within_the_gap():
    _solver, exact = solve(knapsack(), time_limit=5, workers=1)
    _solver, report = solve(
        knapsack(),
        time_limit=5,
        workers=1,
        known_bound=exact.objective,
        gap_limit=0.5,
        parameters={"cp_model_presolve": False},
    )
    assert report.bound <= exact.objective + 1e-9
    assert report.gap <= 0.5
    assert report.objective <= exact.objective
