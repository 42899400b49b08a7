"""The application benchmark suite (solver.suite, ``python -m solver.bench --app-suite``).

Real short solves of a small synthetic trip; the checked-in suite file is only read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver import bench
from solver import suite as app_suite
from solver.instances import synthetic_trip
from solver.serialize import fingerprint
from solver.serialize import save_problem

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"n_places": 24, "n_days": 2, "n_hubs": 3, "n_groups": 1, "seed": 3}


def _suite_file(tmp_path: Path, instances: list[dict], limit: str = "0.3") -> Path:
    path = tmp_path / "suite.json"
    path.write_text(json.dumps({"default_limit": limit, "instances": instances}), "utf-8")
    return path


def test_checked_in_suite_has_twenty_instances_of_both_kinds():
    """The repository's suite: at least 20 instances, synthetic trips and real requests, 2 to 10
    days and 1 to 4 groups, each request a tour request the planner can parse."""
    suite = app_suite.load_suite(ROOT / "bench" / "app_suite.json")
    instances = suite["instances"]
    assert len(instances) >= 20
    kinds = {inst["kind"] for inst in instances}
    assert kinds == {"synthetic", "request"}
    days = [
        inst["params"]["n_days"] if inst["kind"] == "synthetic" else inst["request"]["days"]
        for inst in instances
    ]
    assert min(days) == 2 and max(days) == 10
    groups = {
        inst["params"]["n_groups"]
        if inst["kind"] == "synthetic"
        else inst["request"].get("groups", 1)
        for inst in instances
    }
    assert groups == {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("expression", "days", "groups", "expected"),
    [
        ("min(0.5 + 0.4 * days * groups, 8.0)", 3, 1, 1.7),
        ("min(0.5 + 0.4 * days * groups, 8.0)", 10, 4, 8.0),
        ("max(1, days / 2) - 0.5", 6, 1, 2.5),
    ],
)
def test_default_limit_evaluates_arithmetic_in_days_and_groups(expression, days, groups, expected):
    assert app_suite.default_limit(expression, days, groups) == pytest.approx(expected)


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').system('true')", "days ** 2", "nights * 2", "0 * days", "min(", "open"],
)
def test_default_limit_refuses_anything_else(expression):
    with pytest.raises(app_suite.SuiteError, match="default_limit"):
        app_suite.default_limit(expression, 3, 1)


@pytest.mark.parametrize(
    ("instances", "message"),
    [
        ([], "non-empty 'id'"),
        ([{"id": "a", "kind": "synthetic", "params": {}}] * 2, "repeat"),
        ([{"id": "a", "kind": "other"}], "kind must be one of"),
        ([{"id": "a", "kind": "request"}], "needs 'request'"),
    ],
)
def test_load_suite_names_what_is_wrong(tmp_path, instances, message):
    with pytest.raises(app_suite.SuiteError, match=message):
        app_suite.load_suite(_suite_file(tmp_path, instances))


def test_load_suite_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(app_suite.SuiteError, match="no such suite file"):
        app_suite.load_suite(tmp_path / "nope.json")


def test_run_solves_validates_and_times_the_first_plan():
    """One short solve: a valid plan, its objective, and when the first plan came."""
    result = app_suite.run(synthetic_trip(**SMALL), 0.5, seed=0)
    assert result.valid and result.violations == 0
    assert result.value is not None and result.value > 0
    assert result.first_plan_s is not None and 0 <= result.first_plan_s <= result.seconds


def test_reference_applies_only_to_the_problem_it_was_computed_on():
    problem = synthetic_trip(**SMALL)
    other = synthetic_trip(**{**SMALL, "seed": 4})
    reference = {"value": 100.0, "problem": fingerprint(problem)}
    assert app_suite.reference_applies(reference, problem)
    assert not app_suite.reference_applies(reference, other)
    assert not app_suite.reference_applies(None, problem)
    assert app_suite.share(50.0, reference) == pytest.approx(50.0)
    assert app_suite.share(None, reference) is None


def test_partial_plans_compare_only_with_as_partial_references():
    """A plan that leaves a must-visit unmet is not "x % of" a complete reference (nor a
    complete plan of a partial one): its share is None, so no mean hides it."""
    complete = {"value": 100.0}
    partial = {"value": 100.0, "unmet": 2}
    assert app_suite.share(80.0, complete, unmet=0) == pytest.approx(80.0)
    assert app_suite.share(180.0, complete, unmet=1) is None
    assert app_suite.share(50.0, partial, unmet=0) is None
    assert app_suite.share(50.0, partial, unmet=2) == pytest.approx(50.0)


def test_request_instances_load_their_built_problem(tmp_path):
    """A request instance is solved from its saved problem; a missing one is named, and one
    built from another request is reported stale."""
    inst = {"id": "req-x", "kind": "request", "request": {"days": 2}}
    assert app_suite.missing_problems([inst], tmp_path) == [tmp_path / "req-x.npz"]
    with pytest.raises(app_suite.SuiteError, match="bench/app_suite.py build"):
        app_suite.instance_problem(inst, tmp_path)
    problem = synthetic_trip(**SMALL)
    save_problem(problem, tmp_path / "req-x.npz", {"request": {"days": 3}})
    assert fingerprint(app_suite.instance_problem(inst, tmp_path)) == fingerprint(problem)
    assert app_suite.stale_build(inst, tmp_path)
    save_problem(problem, tmp_path / "req-x.npz", {"request": {"days": 2}})
    assert not app_suite.stale_build(inst, tmp_path)


def test_bench_app_suite_prints_shares_of_the_reference(tmp_path, capsys):
    """``--app-suite --json``: per instance the value at 1 s and at the default limit as shares
    of the reference, the seconds to the first plan, and the mean over the suite."""
    problem = synthetic_trip(**SMALL)
    reference = app_suite.run(problem, 0.5, seed=1)
    inst = {
        "id": "small",
        "kind": "synthetic",
        "params": SMALL,
        "reference": {"value": reference.value, "problem": fingerprint(problem)},
    }
    path = _suite_file(tmp_path, [inst])
    code = bench.main(["--app-suite", "--suite", str(path), "--problems", str(tmp_path), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["rows"]
    assert row["id"] == "small" and row["default_limit_s"] == pytest.approx(0.3)
    assert row["valid_1s"] and row["valid_default"]
    assert row["share_1s"] == pytest.approx(100.0 * row["value_1s"] / reference.value)
    assert row["first_plan_s"] is not None
    assert out["summary"]["share_default"]["mean"] == pytest.approx(row["share_default"])


def test_bench_app_suite_refuses_unbuilt_request_problems(tmp_path, capsys):
    path = _suite_file(tmp_path, [{"id": "r", "kind": "request", "request": {"days": 2}}])
    assert bench.main(["--app-suite", "--suite", str(path), "--problems", str(tmp_path)]) == 2
    assert "app_suite.py build" in capsys.readouterr().err


@pytest.mark.parametrize(("days", "groups"), [(2, 1), (3, 2), (5, 3), (10, 4)])
def test_suite_default_limit_is_the_planners(days, groups):
    """The suite's "default limit" is what the planner gives a request that names none."""
    from types import SimpleNamespace

    from tourplanner.planning import default_time_limit

    suite = app_suite.load_suite(ROOT / "bench" / "app_suite.json")
    request = SimpleNamespace(days=days, groups=groups)
    assert app_suite.default_limit(suite["default_limit"], days, groups) == pytest.approx(
        default_time_limit(request)
    )


def _app_suite_script():
    """``bench/app_suite.py`` as a module (a script, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "app_suite_script", ROOT / "bench" / "app_suite.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("same_problem", [True, False])
def test_reference_runs_keep_a_better_reference_of_the_same_problem(tmp_path, capsys, same_problem):
    """A reference is the best plan known: runs that find less leave a better reference of the
    same problem as it was; one computed on another problem is replaced."""
    problem = synthetic_trip(**SMALL)
    other = synthetic_trip(**{**SMALL, "seed": 4})
    recorded = fingerprint(problem if same_problem else other)
    old = {"value": 1e9, "unmet": 0, "problem": recorded, "command": "an earlier run"}
    inst = {"id": "small", "kind": "synthetic", "params": SMALL, "reference": old}
    path = _suite_file(tmp_path, [inst])
    script = _app_suite_script()
    argv = ["--suite", str(path), "reference", "--runs", "1", "--time-limit", "0.3"]
    assert script.main([*argv, "--problems", str(tmp_path)]) == 0
    (saved,) = json.loads(path.read_text("utf-8"))["instances"]
    if same_problem:
        assert saved["reference"] == old
        assert "kept" in capsys.readouterr().out
    else:
        assert saved["reference"]["value"] < 1e9
        assert saved["reference"]["problem"] == fingerprint(problem)
