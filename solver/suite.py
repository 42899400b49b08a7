"""The application benchmark suite: instances at the planner's scale and their reference values.

The suite is a JSON file (``bench/app_suite.json``)::

    {
      "reference_command": "python bench/app_suite.py reference --runs 3 --time-limit 30",
      "default_limit": "min(0.5 + 0.4 * days * groups, 8.0)",
      "instances": [
        {"id": "syn-200-5d-s0", "kind": "synthetic",
         "params": {"n_places": 200, "n_days": 5, "n_hubs": 12, "n_groups": 1, "seed": 0},
         "reference": null},
        {"id": "req-...", "kind": "request", "request": {...tour request...},
         "reference": {"value": 2310.5, "runs": 3, "time_limit_s": 30, "seeds": [0, 1, 2],
                       "values": [...], "date": "...", "command": "...", "problem": "..."}}
      ]
    }

A ``synthetic`` instance is :func:`solver.instances.synthetic_trip` with its ``params``. A
``request`` instance is a tour request on the planner's embedded catalogue; the planner (which
the solver never imports) builds its problem once, ``bench/app_suite.py build``, saved with
:func:`solver.serialize.save_problem` as ``<problems>/<id>.npz``. ``reference.value`` is the
best objective of long runs and ``reference.problem`` the :func:`~solver.serialize.fingerprint`
of the problem it was computed on, so a rebuilt, changed problem is not compared with it.

``default_limit`` is the planner's default time limit as an expression in ``days`` and
``groups`` (numbers, ``+ - * /``, ``min`` and ``max`` only).
"""

from __future__ import annotations

import ast
import json
import operator
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.instances import synthetic_trip
from solver.params import SolveParams
from solver.problem import Problem
from solver.serialize import fingerprint
from solver.serialize import load_problem
from solver.serialize import read_meta
from solver.solution import Progress
from solver.solve import solve
from solver.validate import validate

DEFAULT_SUITE = Path("bench/app_suite.json")
DEFAULT_PROBLEMS = Path("bench/app_suite/problems")
KINDS = ("synthetic", "request")


class SuiteError(ValueError):
    """The suite file, an instance id or a problem file is wrong; the message says how."""


def load_suite(path: str | Path = DEFAULT_SUITE) -> dict[str, Any]:
    """Read and check a suite file."""
    path = Path(path)
    if not path.exists():
        raise SuiteError(f"{path}: no such suite file (run from the repository root?)")
    suite = json.loads(path.read_text(encoding="utf-8"))
    ids = [inst.get("id") for inst in suite.get("instances", [])]
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise SuiteError(f"{path}: every instance needs a non-empty 'id'.")
    if len(set(ids)) != len(ids):
        raise SuiteError(f"{path}: instance ids repeat.")
    for inst in suite["instances"]:
        if inst.get("kind") not in KINDS:
            raise SuiteError(f"{path}: {inst['id']}: kind must be one of {', '.join(KINDS)}.")
        spec = "params" if inst["kind"] == "synthetic" else "request"
        if not isinstance(inst.get(spec), dict):
            raise SuiteError(f"{path}: {inst['id']}: a {inst['kind']} instance needs {spec!r}.")
    if not isinstance(suite.get("default_limit"), str):
        raise SuiteError(f"{path}: needs 'default_limit', an expression in days and groups.")
    default_limit(suite["default_limit"], 1, 1)  # fails early on a bad expression
    return suite


def save_suite(suite: dict[str, Any], path: str | Path = DEFAULT_SUITE) -> None:
    """Write ``suite`` back (2-space JSON, UTF-8, one trailing newline), atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def select(suite: dict[str, Any], only: str | None = None) -> list[dict[str, Any]]:
    """The suite's instances, or those named in the comma list ``only`` (in suite order)."""
    instances = suite["instances"]
    if not only:
        return list(instances)
    wanted = [x.strip() for x in only.split(",") if x.strip()]
    unknown = sorted(set(wanted) - {inst["id"] for inst in instances})
    if unknown:
        raise SuiteError(f"unknown instance ids: {', '.join(unknown)}")
    return [inst for inst in instances if inst["id"] in wanted]


def problem_path(inst: dict[str, Any], problems: str | Path = DEFAULT_PROBLEMS) -> Path:
    """Where the built problem of a ``request`` instance lives."""
    return Path(problems) / f"{inst['id']}.npz"


def missing_problems(
    instances: list[dict[str, Any]], problems: str | Path = DEFAULT_PROBLEMS
) -> list[Path]:
    """Problem files of ``request`` instances that have not been built."""
    return [
        problem_path(inst, problems)
        for inst in instances
        if inst["kind"] == "request" and not problem_path(inst, problems).exists()
    ]


def stale_build(inst: dict[str, Any], problems: str | Path = DEFAULT_PROBLEMS) -> bool:
    """Whether a built problem was built from another request than the suite's (rebuild)."""
    if inst["kind"] != "request":
        return False
    return read_meta(problem_path(inst, problems)).get("request") != inst["request"]


def instance_problem(inst: dict[str, Any], problems: str | Path = DEFAULT_PROBLEMS) -> Problem:
    """The problem of an instance: generated (synthetic) or loaded (request)."""
    if inst["kind"] == "synthetic":
        return synthetic_trip(**inst["params"])
    path = problem_path(inst, problems)
    if not path.exists():
        raise SuiteError(f"{path} is missing: run `python bench/app_suite.py build` first.")
    return load_problem(path)


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}  # fmt: skip
_CALLS = {"min": min, "max": max}


def default_limit(expression: str, days: int, groups: int) -> float:
    """Evaluate the suite's ``default_limit`` for a trip of ``days`` and ``groups``.

    Only numbers, the names ``days`` and ``groups``, ``+ - * /`` and ``min``/``max`` calls
    are allowed.
    """
    names = {"days": days, "groups": groups}

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _CALLS
            and node.args
            and not node.keywords
        ):
            return _CALLS[node.func.id](ev(a) for a in node.args)
        raise SuiteError(f"default_limit {expression!r}: {ast.dump(node)[:40]} is not allowed.")

    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise SuiteError(f"default_limit {expression!r} is not an expression.") from exc
    value = float(ev(tree))
    if not value > 0:
        raise SuiteError(f"default_limit {expression!r} gives {value} s for {days} d, {groups} g.")
    return value


@dataclass(frozen=True, slots=True)
class Run:
    """One solve of a suite instance.

    ``value`` is the objective total (``None``: no plan), ``first_plan_s`` the seconds of the
    first plan the search reported (``on_progress``; the search reports plans that pass its
    hard rules, and the final plan is re-checked with :func:`solver.validate`), ``valid``
    whether the final plan is valid and validates, ``unmet`` how many requirements (must-visits,
    ``must_any`` sets, provinces) the plan leaves unmet: values compare only between plans
    that leave as many unmet.
    """

    time_limit_s: float
    seed: int
    workers: int
    value: float | None
    seconds: float
    first_plan_s: float | None
    valid: bool
    status: str
    violations: int
    unmet: int = 0


def run(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 1,
    early_stop: bool = True,
) -> Run:
    """Solve ``problem`` once with ``workers`` searches side by side and check the plan
    (``early_stop=False``: search to the time limit, as reference runs do)."""
    first: list[float] = []

    def on_progress(progress: Progress) -> None:
        if not first:
            first.append(progress.seconds)

    started = time.perf_counter()
    params = SolveParams(
        time_limit_s=time_limit_s, seed=seed, workers=workers, early_stop=early_stop
    )
    solution = solve(problem, params, on_progress=on_progress)
    seconds = time.perf_counter() - started
    violations = validate(problem, solution) if solution.plans else []
    has_plan = bool(solution.plans)
    return Run(
        time_limit_s=time_limit_s,
        seed=seed,
        workers=workers,
        value=solution.objective.total if has_plan else None,
        seconds=seconds,
        first_plan_s=first[0] if first else None,
        valid=has_plan and solution.is_valid and not violations,
        status=solution.status.value,
        violations=len(violations),
        unmet=len(solution.unmet) if has_plan else 0,
    )


def share(value: float | None, reference: dict[str, Any] | None, unmet: int = 0) -> float | None:
    """``value`` as a percentage of the reference value (``None`` without either, or when the
    run leaves a different number of requirements unmet than the reference's plan: a partial
    plan's value does not compare with a complete one's)."""
    if value is None or not reference or not reference.get("value"):
        return None
    if unmet != int(reference.get("unmet", 0)):
        return None
    ref = float(reference["value"])
    return 100.0 * value / ref if ref > 0 else None


def reference_applies(reference: dict[str, Any] | None, problem: Problem) -> bool:
    """Whether ``reference`` was computed on this very problem (no fingerprint: assumed)."""
    if not reference:
        return False
    recorded = reference.get("problem")
    return recorded is None or recorded == fingerprint(problem)
