"""The application suite's problems and reference values (``bench/app_suite.json``).

Run from the repository root (a virtualenv with the project installed)::

    python bench/app_suite.py build [--out bench/app_suite/problems] [--only ID,...]
    python bench/app_suite.py reference [--runs 3] [--time-limit 30] [--only ID,...]

``build`` turns every ``request`` instance into the solver problem exactly as the planner
does (``build_model(parse_tour_request(request, catalogue), catalogue, get_travel_model())``
in an app on a fresh SQLite file with the embedded catalogue) and saves it as ``<id>.npz``
(derived files, not checked in). ``reference`` solves every instance ``--runs`` times (seeds
0, 1, ...) to the end of ``--time-limit`` (no early stop) with ``--workers`` (default one),
validates each plan and records the best objective, the runs and this command line in the
suite file, after each instance; a reference already computed on the same problem that is
better (meets more requirements, or as many with a higher value) is kept.

``python -m solver.bench --app-suite`` then compares short runs with these references.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver import suite as app_suite  # noqa: E402
from solver.serialize import differences  # noqa: E402
from solver.serialize import fingerprint  # noqa: E402
from solver.serialize import load_problem  # noqa: E402
from solver.serialize import save_problem  # noqa: E402


def _commit() -> str | None:
    """The repository's commit (with ``-dirty`` for uncommitted changes), if git knows it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}-dirty" if dirty else head


def build(args: argparse.Namespace) -> int:
    """Build and save the problem of every request instance."""
    from tourplanner import create_app
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.errors import ValidationError
    from tourplanner.planning import build_model
    from tourplanner.planning.request import parse_tour_request
    from tourplanner.services.travel_model import get_travel_model

    suite = app_suite.load_suite(args.suite)
    instances = [i for i in app_suite.select(suite, args.only) if i["kind"] == "request"]
    commit = _commit()
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
                "SECRET_KEY": "app-suite",
            }
        )
        try:
            with app.app_context():
                catalogue = get_catalogue()
                travel = get_travel_model()
                for inst in instances:
                    started = time.perf_counter()
                    try:
                        request = parse_tour_request(inst["request"], catalogue)
                    except ValidationError as exc:
                        failed.append(inst["id"])
                        print(f"{inst['id']:<36} bad request: {exc}", flush=True)
                        continue
                    problem = build_model(request, catalogue, travel).problem
                    meta = {"id": inst["id"], "request": inst["request"], "commit": commit,
                            "fingerprint": fingerprint(problem)}  # fmt: skip
                    path = save_problem(problem, app_suite.problem_path(inst, args.out), meta)
                    lost = differences(problem, load_problem(path))
                    if lost:
                        failed.append(inst["id"])
                        print(f"{inst['id']:<36} round trip differs: {lost[:3]}", flush=True)
                        continue
                    print(
                        f"{inst['id']:<36} {len(problem.days):>2} d {len(problem.groups)} g "
                        f"{len(problem.places):>4} places {problem.n_nodes:>4} nodes "
                        f"{len(problem.travel_modes)} modes  {path.stat().st_size / 1e6:5.2f} MB "
                        f"{time.perf_counter() - started:5.1f} s  {path}",
                        flush=True,
                    )
        finally:
            app.extensions["tourplanner.storage.db"].dispose()
    print(f"built {len(instances) - len(failed)} problems under {args.out}")
    if failed:
        print(f"error: not built: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def reference(args: argparse.Namespace) -> int:
    """Long runs of every instance; the best validated objective becomes its reference."""
    suite = app_suite.load_suite(args.suite)
    instances = app_suite.select(suite, args.only)
    missing = app_suite.missing_problems(instances, args.problems)
    if missing:
        print(
            f"error: {len(missing)} request problem(s) not built (e.g. {missing[0]}): "
            "run `python bench/app_suite.py build` first.",
            file=sys.stderr,
        )
        return 2
    command = shlex.join(["python", "bench/app_suite.py", *sys.argv[1:]])
    seeds = list(range(args.runs))
    commit = _commit()
    failed = 0
    for inst in instances:
        problem = app_suite.instance_problem(inst, args.problems)
        values: list[float | None] = []
        unmet: list[int] = []
        for seed in seeds:
            result = app_suite.run(
                problem, args.time_limit, seed=seed, workers=args.workers, early_stop=False
            )
            values.append(result.value if result.valid else None)
            unmet.append(result.unmet)
            print(
                f"{inst['id']:<36} seed {seed}: "
                f"{'-' if result.value is None else f'{result.value:.3f}'}"
                f"  {result.seconds:6.1f} s  {result.status}, unmet {result.unmet}"
                f"{'' if result.valid else f', NOT VALID ({result.violations} violations)'}",
                flush=True,
            )
        # the best plan meets the most requirements, then has the highest value
        good = [(-u, v) for v, u in zip(values, unmet, strict=True) if v is not None]
        if not good:
            failed += 1
            print(f"{inst['id']:<36} no valid plan: reference left as it was", flush=True)
            continue
        most_met, best = max(good)
        best_unmet = -most_met
        old = inst.get("reference")
        if (
            app_suite.reference_applies(old, problem)
            and old.get("problem") is not None
            and (-old.get("unmet", 0), old["value"]) > (most_met, best)
        ):
            # a reference is the best plan known for this problem: shorter or luckier runs
            # do not lower it (the runs are reported above)
            print(
                f"{inst['id']:<36} reference {old['value']:.3f} kept "
                f"(these runs: best {best:.3f}, unmet {best_unmet})",
                flush=True,
            )
            continue
        inst["reference"] = {
            "value": best,
            "unmet": best_unmet,
            "runs": args.runs,
            "time_limit_s": args.time_limit,
            "workers": args.workers,
            "early_stop": False,
            "seeds": seeds,
            "values": values,
            "unmet_per_run": unmet,
            "date": dt.date.today().isoformat(),
            "command": command,
            "commit": commit,
            "problem": fingerprint(problem),
        }
        app_suite.save_suite(suite, args.suite)  # after each instance: long runs may stop
        print(f"{inst['id']:<36} reference {best:.3f} (unmet {best_unmet})", flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", default=str(app_suite.DEFAULT_SUITE), help="suite file")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the request instances' problems (.npz)")
    b.add_argument("--out", default=str(app_suite.DEFAULT_PROBLEMS), help="output folder")
    b.add_argument("--only", default=None, help="comma list of instance ids")
    r = sub.add_parser("reference", help="long runs: record each instance's reference value")
    r.add_argument("--runs", type=int, default=3, help="runs per instance (seeds 0..runs-1)")
    r.add_argument("--time-limit", type=float, default=30.0, help="seconds per run")
    r.add_argument("--workers", type=int, default=1, help="searches side by side per run")
    r.add_argument("--problems", default=str(app_suite.DEFAULT_PROBLEMS), help="built problems")
    r.add_argument("--only", default=None, help="comma list of instance ids")
    args = ap.parse_args(argv)
    try:
        if args.command == "build":
            return build(args)
        return reference(args)
    except app_suite.SuiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
