"""Benchmark CLI: ``python -m solver.bench``.

Single instance (TOPTW ``.txt`` needs ``--tours``; OPHS ``.ophs`` has its trips in the file)::

    python -m solver.bench FILE --tours M --time-limit S [--seed N] [--workers W] [--json]

``--json`` prints one object ``{"instance", "tours", "score", "routes", "seconds", ...}``;
``routes`` are vertex ids in visiting order, depot excluded (TOPTW) or, for OPHS, one list per
trip from its start hotel to its end hotel.

Batch over files (BKS looked up in ``--bks`` if given)::

    python -m solver.bench --batch 'GLOB' --tours 1,2 --time-limit S [--bks CSV]

Batch over the rows of a ``bks.csv`` (files found under the csv's folder)::

    python -m solver.bench --bks-rows ../shared/benchmarks/toptw/bks.csv --time-limit 10 \\
        [--shard 0/2] [--out results.jsonl]

Application scale (seeded synthetic 5-day trip, 200 places, 12 candidate hubs per night): the
objective reached at each time limit, and whether the plan validates::

    python -m solver.bench --app --time-limits 1,2,5,10 [--seed N]

Application suite (``bench/app_suite.json``: synthetic trips and real requests on the embedded
catalogue, each with a reference value from long runs): per instance and in the mean, the
objective at 1 s and at the planner's default limit as a share of the reference, and the
seconds to the first plan (request problems are built first with
``python bench/app_suite.py build``)::

    python -m solver.bench --app-suite [--workers W] [--suite bench/app_suite.json] \\
        [--problems bench/app_suite/problems] [--only ID,...] [--json]

Merge result files written with ``--out`` into one table and summary::

    python -m solver.bench --summarize a.jsonl b.jsonl

Every result is checked with :meth:`solver.instances.BenchInstance.check` (the benchmark's own
conventions, not the solver's) and reported as feasible or not.
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import sys
import time
from pathlib import Path

from solver import suite as app_suite
from solver.instances import BenchInstance
from solver.instances import find_instance_file
from solver.instances import read_bks
from solver.instances import read_ophs
from solver.instances import read_toptw
from solver.instances import synthetic_trip
from solver.params import SolveParams
from solver.solve import solve
from solver.validate import validate

log = logging.getLogger(__name__)


def load(path: str | Path, tours: int | None) -> BenchInstance:
    """Read a TOPTW (``.txt``, needs ``tours``) or OPHS (``.ophs``) file."""
    path = Path(path)
    if path.suffix == ".ophs":
        return read_ophs(path)
    if tours is None:
        raise SystemExit("--tours is required for a TOPTW file")
    return read_toptw(path, tours)


def run_one(inst: BenchInstance, params: SolveParams) -> dict:
    """Solve one instance; return the result as a JSON-able dict (checked independently)."""
    t0 = time.perf_counter()
    sol = solve(inst.problem, params)
    seconds = time.perf_counter() - t0
    routes: list[list[int]] = []
    if inst.kind == "toptw":
        for plan in sol.plans:
            for day in plan.days:
                routes.append([inst.vertex_of(v.place_id) for v in day.visits])
    else:
        for plan in sol.plans:
            for day in plan.days:
                routes.append(
                    [
                        day.start_node,
                        *(inst.vertex_of(v.place_id) for v in day.visits),
                        day.end_node,
                    ]
                )
    feasible, score, reason = inst.check(routes) if sol.plans else (False, 0.0, sol.message)
    if sol.plans and abs(score - sol.objective.prize) > 1e-6:
        feasible, reason = False, f"score mismatch: solver {sol.objective.prize}, check {score}"
    tours = len(inst.problem.groups) if inst.kind == "toptw" else len(inst.problem.days)
    return {
        "instance": inst.name,
        "tours": tours,
        "score": score,
        "routes": routes,
        "seconds": round(seconds, 3),
        "feasible": feasible and sol.is_valid,
        "status": sol.status.value,
        "reason": reason,
    }


def _table(rows: list[dict]) -> str:
    lines = [f"{'instance':<14}{'m':>3}{'score':>9}{'BKS':>9}{'gap %':>8}{'sec':>8}  feasible"]
    for r in rows:
        bks = r.get("bks")
        gap = r.get("gap")
        lines.append(
            f"{r['instance']:<14}{r['tours']:>3}{r['score']:>9.0f}"
            f"{'' if bks is None else f'{bks:.0f}':>9}"
            f"{'' if gap is None else f'{gap:.2f}':>8}{r['seconds']:>8.2f}  "
            f"{'yes' if r['feasible'] else 'NO ' + r.get('reason', '')}"
        )
    with_bks = [r for r in rows if r.get("gap") is not None]
    n_inf = sum(1 for r in rows if not r["feasible"])
    lines.append("")
    lines.append(f"instances: {len(rows)}, infeasible: {n_inf}")
    if with_bks:
        gaps = [r["gap"] for r in with_bks]
        lines.append(
            f"with BKS: {len(with_bks)}, mean gap {sum(gaps) / len(gaps):.2f} %, "
            f"max gap {max(gaps):.2f} %, at BKS: {sum(1 for g in gaps if g <= 1e-9)}, "
            f"mean seconds {sum(r['seconds'] for r in rows) / len(rows):.2f}"
        )
    return "\n".join(lines)


def _with_gap(result: dict, bks: dict[tuple[str, int], float]) -> dict:
    value = bks.get((result["instance"], result["tours"]))
    if value is not None:
        result["bks"] = value
        result["gap"] = 100.0 * (value - result["score"]) / value if value else 0.0
    return result


def _app(args: argparse.Namespace) -> int:
    problem = synthetic_trip(seed=args.seed)
    print(
        f"synthetic trip: {len(problem.places)} places, {len(problem.days)} days, "
        f"{len(problem.nights[0])} candidate hubs per night, seed {args.seed}"
    )
    print(f"{'limit s':>8}{'seconds':>9}{'objective':>11}{'prize':>8}{'visits':>8}  status, valid")
    for limit in (float(x) for x in args.time_limits.split(",")):
        sol = solve(problem, SolveParams(time_limit_s=limit, seed=args.seed, workers=args.workers))
        violations = validate(problem, sol)
        n_visits = len(sol.visited())
        print(
            f"{limit:>8.1f}{sol.seconds:>9.2f}{sol.objective.total:>11.1f}"
            f"{sol.objective.prize:>8.0f}{n_visits:>8}  {sol.status.value}, "
            f"{'valid' if sol.is_valid and not violations else 'NOT VALID'}"
            f"{f' ({len(violations)} violations)' if violations else ''}",
            flush=True,
        )
    return 0


def _app_suite_row(inst: dict, problems: str, expression: str, workers: int) -> dict:
    problem = app_suite.instance_problem(inst, problems)
    days, groups = len(problem.days), len(problem.groups)
    limit = app_suite.default_limit(expression, days, groups)
    reference = inst.get("reference")
    applies = app_suite.reference_applies(reference, problem)
    short = app_suite.run(problem, 1.0, seed=0, workers=workers)
    full = app_suite.run(problem, limit, seed=0, workers=workers)
    ref = reference if applies else None
    return {
        "id": inst["id"],
        "kind": inst["kind"],
        "days": days,
        "groups": groups,
        "places": len(problem.places),
        "reference": reference.get("value") if reference else None,
        "reference_stale": bool(reference) and not applies,
        "build_stale": app_suite.stale_build(inst, problems),
        "default_limit_s": limit,
        "value_1s": short.value,
        "share_1s": app_suite.share(short.value, ref, short.unmet),
        "valid_1s": short.valid,
        "unmet_1s": short.unmet,
        "unmet_default": full.unmet,
        "reference_unmet": int(reference.get("unmet", 0)) if reference else None,
        "first_plan_s": short.first_plan_s,
        "value_default": full.value,
        "share_default": app_suite.share(full.value, ref, full.unmet),
        "valid_default": full.valid,
        "first_plan_default_s": full.first_plan_s,
        "seconds_default": round(full.seconds, 3),
    }


_SUITE_HEAD = (
    f"{'instance':<28}{'d':>3}{'g':>3}{'places':>7}{'reference':>11}{'1 s':>9}{'%':>7}"
    f"{'limit s':>8}{'default':>9}{'%':>7}{'first s':>8}  valid"
)


def _suite_line(r: dict) -> str:
    def num(v: float | None, width: int, fmt: str = ".1f") -> str:
        return f"{'-' if v is None else format(v, fmt):>{width}}"

    mark = " (reference stale)" if r["reference_stale"] else ""
    if r["reference_unmet"] or r["unmet_1s"] or r["unmet_default"]:
        mark += (
            f" (unmet requirements: reference {r['reference_unmet']}, 1 s {r['unmet_1s']},"
            f" default {r['unmet_default']})"
        )
    mark += " (built from another request: rebuild)" if r["build_stale"] else ""
    valid = "yes" if r["valid_1s"] and r["valid_default"] else (
        f"NO ({'1 s' if not r['valid_1s'] else ''}{' default' if not r['valid_default'] else ''})"
    )  # fmt: skip
    return (
        f"{r['id']:<28}{r['days']:>3}{r['groups']:>3}{r['places']:>7}{num(r['reference'], 11)}"
        f"{num(r['value_1s'], 9)}{num(r['share_1s'], 7)}{r['default_limit_s']:>8.1f}"
        f"{num(r['value_default'], 9)}{num(r['share_default'], 7)}"
        f"{num(r['first_plan_s'], 8, '.2f')}  {valid}{mark}"
    )


def _suite_summary(rows: list[dict]) -> dict:
    out: dict = {
        "instances": len(rows),
        "valid_1s": sum(r["valid_1s"] for r in rows),
        "valid_default": sum(r["valid_default"] for r in rows),
    }
    for key in ("share_1s", "share_default", "first_plan_s"):
        have = [r for r in rows if r[key] is not None]
        out[key] = None
        if have:
            worst = (max if key == "first_plan_s" else min)(have, key=lambda r: r[key])
            out[key] = {
                "n": len(have),
                "mean": sum(r[key] for r in have) / len(have),
                "min": min(r[key] for r in have),
                "max": max(r[key] for r in have),
                "worst": worst["id"],
            }
    return out


def _suite_summary_text(summary: dict) -> str:
    lines = [
        f"instances: {summary['instances']}, valid plans: {summary['valid_1s']} at 1 s, "
        f"{summary['valid_default']} at the default limit"
    ]
    for key, label in (("share_1s", "at 1 s"), ("share_default", "at the default limit")):
        s = summary[key]
        if s is None:
            lines.append(f"share of the reference {label}: no reference values yet")
        else:
            lines.append(
                f"share of the reference {label}: mean {s['mean']:.1f} %, min {s['min']:.1f} % "
                f"({s['worst']}), over {s['n']} instances"
            )
    s = summary["first_plan_s"]
    if s is not None:
        lines.append(
            f"seconds to the first plan (1 s runs): mean {s['mean']:.2f}, max {s['max']:.2f} "
            f"({s['worst']})"
        )
    return "\n".join(lines)


def _app_suite(args: argparse.Namespace) -> int:
    try:
        suite = app_suite.load_suite(args.suite)
        instances = app_suite.select(suite, args.only)
    except app_suite.SuiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = app_suite.missing_problems(instances, args.problems)
    if missing:
        print(
            f"error: {len(missing)} request problem(s) not built under {args.problems} "
            f"(e.g. {missing[0]}): run `python bench/app_suite.py build` first "
            "(from the repository root).",
            file=sys.stderr,
        )
        return 2
    rows = []
    if not args.json:
        print(f"{len(instances)} instances, {args.workers} worker(s) per solve", flush=True)
        print(_SUITE_HEAD, flush=True)
    for inst in instances:
        row = _app_suite_row(inst, args.problems, suite["default_limit"], args.workers)
        rows.append(row)
        if not args.json:
            print(_suite_line(row), flush=True)
    summary = _suite_summary(rows)
    if args.json:
        out = {"suite": str(args.suite), "workers": args.workers, "rows": rows, "summary": summary}
        print(json.dumps(out))
    else:
        print()
        print(_suite_summary_text(summary))
    return 0 if summary["valid_1s"] == summary["valid_default"] == len(rows) else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m solver.bench``."""
    ap = argparse.ArgumentParser(prog="python -m solver.bench", description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", help="one TOPTW (.txt) or OPHS (.ophs) instance")
    ap.add_argument("--tours", default=None, help="number of tours m (comma list in --batch)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="searches side by side per instance, one process each (SolveParams.workers)",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--plain", action="store_true", help="plain OR-Tools run (no perturbation)")
    ap.add_argument("--batch", help="glob of instance files")
    ap.add_argument("--bks", help="bks.csv for gaps in --batch")
    ap.add_argument("--bks-rows", help="run every row of this bks.csv")
    ap.add_argument("--filter", default=None, help="substring an instance name must contain")
    ap.add_argument("--shard", default=None, help="i/n: run every n-th row starting at i")
    ap.add_argument("--out", default=None, help="append results as JSON lines to this file")
    ap.add_argument("--summarize", nargs="+", help="merge JSON-lines result files")
    ap.add_argument("--app", action="store_true", help="application-scale synthetic trip")
    ap.add_argument("--time-limits", default="1,2,5,10", help="time limits for --app")
    ap.add_argument(
        "--app-suite",
        action="store_true",
        help="the application suite: 1 s and default-limit values as shares of the references",
    )
    ap.add_argument("--suite", default=str(app_suite.DEFAULT_SUITE), help="suite file")
    ap.add_argument(
        "--problems",
        default=str(app_suite.DEFAULT_PROBLEMS),
        help="folder of the built request problems (python bench/app_suite.py build)",
    )
    ap.add_argument("--only", default=None, help="comma list of suite instance ids")
    args = ap.parse_args(argv)
    params = SolveParams(
        time_limit_s=args.time_limit,
        seed=args.seed,
        perturb=not args.plain,
        workers=args.workers,
    )

    if args.summarize:
        rows = []
        for f in args.summarize:
            rows += [json.loads(ln) for ln in Path(f).read_text().splitlines() if ln.strip()]
        rows.sort(key=lambda r: (r["instance"], r["tours"]))
        print(_table(rows))
        return 0

    if args.app:
        return _app(args)

    if args.app_suite:
        return _app_suite(args)

    if args.file and not args.batch and not args.bks_rows:
        tours = int(args.tours) if args.tours else None
        result = run_one(load(args.file, tours), params)
        if args.json:
            print(json.dumps({k: result[k] for k in ("instance", "tours", "score", "routes",
                                                      "seconds", "feasible")}))  # fmt: skip
        else:
            print(_table([result]))
        return 0 if result["feasible"] else 1

    jobs: list[tuple[Path, int | None]] = []
    bks: dict[tuple[str, int], float] = {}
    if args.bks_rows:
        bks = read_bks(args.bks_rows)
        root = Path(args.bks_rows).parent
        for name, m in bks:
            path = find_instance_file(root, name)
            jobs.append((path, None if path.suffix == ".ophs" else m))
    elif args.batch:
        if args.bks:
            bks = read_bks(args.bks)
        files = sorted(glob.glob(args.batch))
        ms = [int(x) for x in args.tours.split(",")] if args.tours else [None]
        jobs = [(Path(f), m) for f in files for m in ms]
    else:
        ap.error("give FILE, --batch, --bks-rows or --summarize")
    if args.filter:
        jobs = [j for j in jobs if args.filter in j[0].stem]
    if args.shard:
        i, n = (int(x) for x in args.shard.split("/"))
        jobs = jobs[i::n]
    rows = []
    for path, m in jobs:
        result = _with_gap(run_one(load(path, m), params), bks)
        result.pop("routes")
        rows.append(result)
        line = _table([result]).splitlines()[1]
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as fh:
                fh.write(json.dumps(result) + "\n")
    print()
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
