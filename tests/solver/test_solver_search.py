"""Search behaviour: callbacks, determinism, and real benchmark files with short limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from solver_cases import lunch_break
from solver_cases import quota_users
from solver_cases import run

from solver import SolveParams
from solver import Status
from solver import solve
from solver import validate
from solver.bench import main as bench_main
from solver.instances import read_bks
from solver.instances import read_ophs
from solver.instances import read_toptw
from solver.instances import synthetic_trip

BENCH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
needs_bench = pytest.mark.skipif(not BENCH.exists(), reason="shared benchmarks not mounted")


def test_solve_progress_callback_reports_improvements():
    """on_progress is called with growing objectives while the search improves."""
    seen = []
    sol = solve(lunch_break(), SolveParams(time_limit_s=0.5), on_progress=seen.append)
    assert seen and seen[-1].objective == pytest.approx(sol.objective.total)
    assert [p.objective for p in seen] == sorted(p.objective for p in seen)


def test_solve_stop_callback_ends_early_with_valid_plan():
    """A stop request ends the search long before the time limit, with a validated plan."""
    problem = lunch_break()
    sol = solve(problem, SolveParams(time_limit_s=20), should_stop=lambda: True)
    assert sol.seconds < 5
    assert sol.is_valid
    assert validate(problem, sol) == []


def test_solve_same_seed_same_plan():
    """With work limits instead of the clock, two runs with one seed give the same plan."""
    kw = {"time_limit_s": 30.0, "seed": 7, "max_rounds": 5, "solutions_per_run": 50}
    a = run(lunch_break(), **kw)
    b = run(lunch_break(), **kw)
    assert a.plans == b.plans and a.objective == b.objective


def test_solve_plain_textbook_model_validates():
    """The baseline (one OR-Tools run, no perturbation loop) also returns validated plans."""
    sol = run(lunch_break(), time_limit_s=0.5, perturb=False)
    assert sol.status is Status.FEASIBLE


@needs_bench
@pytest.mark.parametrize(
    "name, m", [("c101", 1), ("pr01", 2)], ids=["solomon-c101-m1", "cordeau-pr01-m2"]
)
def test_bench_toptw_file_feasible_and_close(name, m):
    """A real TOPTW file solves in 1 s to a plan feasible under the benchmark's own rules and
    within 25 % of the best-known score (loose: no timing assertion)."""
    folder = "solomon/c_r_rc_100_100" if name.startswith("c") else "cordeau/pr01_10"
    inst = read_toptw(BENCH / "toptw" / folder / f"{name}.txt", m)
    sol = run(inst.problem, time_limit_s=1.0)
    routes = [[inst.vertex_of(v.place_id) for v in d.visits] for p in sol.plans for d in p.days]
    feasible, score, why = inst.check(routes)
    assert feasible, why
    bks = read_bks(BENCH / "toptw" / "bks.csv")[(name, m)]
    assert score >= 0.75 * bks


@needs_bench
def test_bench_ophs_file_feasible():
    """A real OPHS file (hotel selection) solves to trips feasible in unrounded distances."""
    inst = read_ophs(BENCH / "ophs" / "SET_2-3" / "100-35-2-3.ophs")
    sol = run(inst.problem, time_limit_s=1.0)
    trips = [
        [d.start_node, *(inst.vertex_of(v.place_id) for v in d.visits), d.end_node]
        for p in sol.plans
        for d in p.days
    ]
    feasible, score, why = inst.check(trips)
    assert feasible, why
    assert score > 0


@needs_bench
def test_bench_cli_json_prints_one_object(capsys):
    """``python -m solver.bench FILE --tours M --json`` prints one JSON object with the keys
    the issue names."""
    path = BENCH / "toptw" / "solomon" / "c_r_rc_100_100" / "r101.txt"
    code = bench_main([str(path), "--tours", "1", "--time-limit", "0.5", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"instance", "tours", "score", "routes", "seconds"} <= set(out)
    assert out["instance"] == "r101" and out["tours"] == 1 and len(out["routes"]) == 1


def test_solve_synthetic_trip_two_groups_share_quota():
    """A small seeded application-like trip (per-day matrices with a ferry, split opening
    hours, lunch, 4 hubs per night, caps, budget, a one-group-per-day boat quota, two groups)
    solves to a validated plan in which no day has two groups on the boats."""
    problem = synthetic_trip(n_places=40, n_days=3, n_hubs=4, n_groups=2, seed=3)
    sol = run(problem, time_limit_s=1.5)
    assert sol.status is Status.FEASIBLE
    assert len(sol.visited()) > 0
    for d in range(3):
        assert len(quota_users(problem, sol, d, "bay-boats")) <= 1


def test_solve_portfolio_returns_the_best_of_its_seeds():
    """With work limits, two workers (seeds 7 and 8 in two processes, the second as the
    portfolio's worker 1) return exactly the better of the two single searches, validated,
    and the same plan on a second run."""
    problem = synthetic_trip(n_places=30, n_days=2, n_hubs=3, n_groups=1, seed=3)
    kw = {"time_limit_s": 30.0, "max_rounds": 2, "solutions_per_run": 20}
    singles = [run(problem, seed=7, **kw), run(problem, seed=8, worker=1, **kw)]
    both = run(problem, seed=7, workers=2, **kw)
    again = run(problem, seed=7, workers=2, **kw)
    assert both.objective.total == pytest.approx(max(s.objective.total for s in singles))
    assert both.plans == again.plans


def test_solve_portfolio_stop_callback_ends_every_worker():
    """A stop request ends the portfolio early with a validated plan and no worker left."""
    import multiprocessing

    problem = lunch_break()
    sol = solve(problem, SolveParams(time_limit_s=20, workers=2), should_stop=lambda: True)
    assert sol.seconds < 5
    assert sol.is_valid and validate(problem, sol) == []
    assert multiprocessing.active_children() == []
