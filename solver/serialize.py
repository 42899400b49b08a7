"""Save a :class:`~solver.problem.Problem` to one ``.npz`` file and load it back.

The file is written with :func:`numpy.savez_compressed` and read with ``allow_pickle=False``:

* ``structure``: a one-element string array holding a JSON object with every field of the
  problem that is not a large array (places, days, nights, groups, quotas, modes, variety
  rules, requirements, weights) and, for each travel matrix and timetable, the names of its
  arrays;
* ``a0``, ``a1``, ...: the numeric arrays (minutes, km and cost per matrix; pairs and
  arrivals per timetable). Identical arrays are stored once (per-day matrices often repeat).

Values are kept faithfully: unreachable minutes stay :data:`~solver.problem.UNREACHABLE`,
unreachable km stay NaN, floats keep every bit (JSON writes the shortest exact repr), ints stay
ints. A timetable's arrivals are stored delta-encoded along the sample axis (first sample
as is, then the difference to the previous one), with each row's unreachable suffix kept as
its length; a road leg's differences are all ``step_min``, a ferry's mostly 0, so the
compressor packs them well.

Matrices shared by several days or modes are shared again after loading, and
``Problem.travel`` is again the very object ``Problem.modes[0].travel`` (which
:class:`~solver.problem.Problem` checks). A loaded problem therefore solves exactly as the
saved one did for the same :class:`~solver.params.SolveParams` (given work limits, see
:attr:`~solver.params.SolveParams.max_rounds`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from solver.problem import UNREACHABLE
from solver.problem import Day
from solver.problem import Group
from solver.problem import Hub
from solver.problem import Lunch
from solver.problem import Mode
from solver.problem import Place
from solver.problem import Problem
from solver.problem import ProblemError
from solver.problem import Quota
from solver.problem import Timetable
from solver.problem import TimeWindow
from solver.problem import TravelMatrix
from solver.problem import VarietyRule

FORMAT = "solver.Problem"
VERSION = 1

#: The init fields each type is written with (a test checks they are all of them).
FIELDS: dict[type, tuple[str, ...]] = {
    TimeWindow: ("start_min", "end_min"),
    Lunch: ("earliest_start_min", "latest_end_min", "duration_min"),
    Day: ("start_min", "end_min", "lunch"),
    Place: (
        "id",
        "node",
        "prize",
        "visit_min",
        "windows",
        "cost",
        "province",
        "quota_key",
        "kind",
        "family",
        "lunch_inside",
    ),
    Hub: (
        "id",
        "node",
        "lodging_cost",
        "prize",
        "arrive_by_min",
        "leave_from_min",
        "lunch_on_departure",
        "family",
    ),
    Group: ("id", "allowed_places"),
    Quota: ("key", "day", "capacity"),
    VarietyRule: ("kind", "day_penalties", "day_cap", "trip_free", "trip_penalty"),
    Timetable: ("first_min", "step_min", "pairs", "arrive"),
    TravelMatrix: ("minutes", "km", "cost", "timetable"),
    Mode: ("id", "travel", "day_minimum", "day_penalty"),
    Problem: (
        "places",
        "days",
        "travel",
        "start_node",
        "end_node",
        "nights",
        "groups",
        "quotas",
        "must_visit",
        "exclude",
        "required_provinces",
        "min_provinces",
        "budget",
        "cost_per_km",
        "max_drive_min_per_day",
        "max_stops_per_day",
        "shared_places",
        "travel_weight",
        "money_weight",
        "modes",
        "variety",
        "must_any",
    ),
}


def save_problem(problem: Problem, path: str | Path, meta: dict[str, Any] | None = None) -> Path:
    """Write ``problem`` to ``path`` (one compressed ``.npz``).

    Parameters
    ----------
    problem
        The problem to save.
    path
        Target file; numpy adds ``.npz`` when the name lacks it.
    meta
        Optional JSON-able notes stored beside the problem (where it came from), read back
        with :func:`read_meta`; they do not change the problem.

    Returns
    -------
    Path
        The file written.
    """
    structure, arrays = _encode(problem)
    if meta is not None:
        structure["meta"] = meta
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(structure, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    np.savez_compressed(path, structure=np.array([text]), **arrays)
    return path


def load_problem(path: str | Path) -> Problem:
    """Read a problem written by :func:`save_problem`.

    Raises
    ------
    ProblemError
        The file is not a saved problem (or of a later format version); or, as for any
        :class:`Problem`, a field is invalid.
    """
    structure, arrays = _read(path, arrays=True)
    return _Reader(structure, arrays).problem()


def read_meta(path: str | Path) -> dict[str, Any]:
    """The ``meta`` notes saved with the problem in ``path`` (``{}`` when there are none)."""
    structure, _ = _read(path, arrays=False)
    return structure.get("meta") or {}


def fingerprint(problem: Problem) -> str:
    """A short hash of everything that defines ``problem`` (16 hex digits): two problems with
    the same fingerprint are the same problem, e.g. a reference value still applies."""
    structure, arrays = _encode(problem)
    digest = hashlib.sha256(json.dumps(structure, sort_keys=True).encode())
    for name in sorted(arrays, key=lambda x: int(x[1:])):
        a = arrays[name]
        digest.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()[:16]


def differences(a: Problem, b: Problem) -> list[str]:
    """Paths of the fields in which two problems differ (``[]``: the same problem).

    Arrays compare element by element with NaN equal to NaN; floats compare exactly.
    """
    out: list[str] = []
    _diff(a, b, "problem", out)
    return out


# -- writing ---------------------------------------------------------------------------------


def _encode(problem: Problem) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    writer = _Writer()
    structure = writer.problem(problem)
    return structure, writer.arrays


def _read(path: str | Path, arrays: bool) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(Path(path), allow_pickle=False) as data:
        if "structure" not in data.files:
            raise ProblemError(f"{path}: not a saved solver problem (no 'structure').")
        structure = json.loads(str(data["structure"][0]))
        if structure.get("format") != FORMAT or structure.get("version", 0) > VERSION:
            raise ProblemError(
                f"{path}: format {structure.get('format')!r} version "
                f"{structure.get('version')!r} is not {FORMAT!r} <= {VERSION}."
            )
        out = {n: data[n] for n in data.files if n != "structure"} if arrays else {}
    return structure, out


def _num(value: Any) -> Any:
    """A JSON-able scalar with its kind kept (numpy ints as int, numpy floats as float)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise ProblemError(f"cannot save a non-finite scalar {value!r}.")
        return value
    raise ProblemError(f"cannot save a value of type {type(value).__name__}.")


def _names(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._by_content: dict[tuple[str, tuple[int, ...], bytes], str] = {}
        self.matrices: list[dict[str, Any]] = []
        self._matrix_ids: dict[int, int] = {}
        self.timetables: list[dict[str, Any]] = []
        self._timetable_ids: dict[int, int] = {}

    def array(self, value: np.ndarray) -> str:
        value = np.ascontiguousarray(value)
        key = (value.dtype.str, value.shape, value.tobytes())
        name = self._by_content.get(key)
        if name is None:
            name = f"a{len(self.arrays)}"
            self.arrays[name] = value
            self._by_content[key] = name
        return name

    def timetable(self, tt: Timetable) -> int:
        known = self._timetable_ids.get(id(tt))
        if known is not None:
            return known
        arrive = tt.arrive
        reach = np.asarray(arrive != UNREACHABLE)
        lengths = reach.sum(axis=1).astype(np.int64)
        # unreachable only as a suffix: fill it with the last reachable arrival (delta 0)
        filled = arrive.copy()
        for r in np.flatnonzero(lengths < arrive.shape[1]):
            n = int(lengths[r])
            filled[r, n:] = filled[r, n - 1] if n else 0
        deltas = np.diff(filled, axis=1, prepend=0)
        self.timetables.append(
            {
                "first_min": _num(tt.first_min),
                "step_min": _num(tt.step_min),
                "pairs": self.array(tt.pairs),
                "arrive_delta": self.array(deltas),
                "reachable": self.array(lengths),
            }
        )
        self._timetable_ids[id(tt)] = len(self.timetables) - 1
        return len(self.timetables) - 1

    def matrix(self, m: TravelMatrix) -> int:
        known = self._matrix_ids.get(id(m))
        if known is not None:
            return known
        self.matrices.append(
            {
                "minutes": self.array(m.minutes),
                "km": None if m.km is None else self.array(m.km),
                "cost": None if m.cost is None else self.array(m.cost),
                "timetable": None if m.timetable is None else self.timetable(m.timetable),
            }
        )
        self._matrix_ids[id(m)] = len(self.matrices) - 1
        return len(self.matrices) - 1

    def travel(self, travel: TravelMatrix | tuple[TravelMatrix, ...]) -> dict[str, Any]:
        if isinstance(travel, TravelMatrix):
            return {"matrix": self.matrix(travel)}
        return {"per_day": [self.matrix(m) for m in travel]}

    def problem(self, p: Problem) -> dict[str, Any]:
        modes = [
            {
                "id": m.id,
                "travel": self.travel(m.travel),
                "day_minimum": _num(m.day_minimum),
                "day_penalty": _num(m.day_penalty),
            }
            for m in p.modes
        ]
        out: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "places": [_place(x) for x in p.places],
            "days": [_day(x) for x in p.days],
            "travel": self.travel(p.travel),
            "start_node": _num(p.start_node),
            "end_node": _num(p.end_node),
            "nights": [[_simple(h) for h in cands] for cands in p.nights],
            "groups": [{"id": g.id, "allowed_places": _names(g.allowed_places)} for g in p.groups],
            "quotas": [_simple(q) for q in p.quotas],
            "must_visit": _names(p.must_visit),
            "exclude": _names(p.exclude),
            "required_provinces": _names(p.required_provinces),
            "modes": modes,
            "variety": [_simple(r) for r in p.variety],
            "must_any": [_names(s) for s in p.must_any],
        }
        for name in (
            "min_provinces",
            "budget",
            "cost_per_km",
            "max_drive_min_per_day",
            "max_stops_per_day",
            "shared_places",
            "travel_weight",
            "money_weight",
        ):
            out[name] = _num(getattr(p, name))
        out["matrices"] = self.matrices
        out["timetables"] = self.timetables
        return out


def _simple(obj: Any) -> dict[str, Any]:
    """A dataclass of scalars (and tuples of scalars) as a JSON object."""
    out = {}
    for name in FIELDS[type(obj)]:
        value = getattr(obj, name)
        out[name] = [_num(x) for x in value] if isinstance(value, tuple) else _num(value)
    return out


def _place(pl: Place) -> dict[str, Any]:
    out = {name: _num(getattr(pl, name)) for name in FIELDS[Place] if name != "windows"}
    out["windows"] = (
        None if pl.windows is None else [[_num(w.start_min), _num(w.end_min)] for w in pl.windows]
    )
    return out


def _day(day: Day) -> dict[str, Any]:
    return {
        "start_min": _num(day.start_min),
        "end_min": _num(day.end_min),
        "lunch": None if day.lunch is None else _simple(day.lunch),
    }


# -- reading ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, structure: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.s = structure
        self.arrays = arrays
        self._timetables: dict[int, Timetable] = {}
        self._matrices: dict[int, TravelMatrix] = {}
        self._travels: dict[str, TravelMatrix | tuple[TravelMatrix, ...]] = {}

    def array(self, name: str) -> np.ndarray:
        try:
            return self.arrays[name]
        except KeyError:
            raise ProblemError(f"saved problem: array {name!r} is missing.") from None

    def timetable(self, i: int) -> Timetable:
        if i not in self._timetables:
            t = self.s["timetables"][i]
            arrive = np.cumsum(self.array(t["arrive_delta"]), axis=1, dtype=np.int64)
            lengths = self.array(t["reachable"])
            samples = np.arange(arrive.shape[1])[None, :]
            arrive[samples >= lengths[:, None]] = UNREACHABLE
            self._timetables[i] = Timetable(
                t["first_min"], t["step_min"], self.array(t["pairs"]), arrive
            )
        return self._timetables[i]

    def matrix(self, i: int) -> TravelMatrix:
        if i not in self._matrices:
            m = self.s["matrices"][i]
            self._matrices[i] = TravelMatrix(
                self.array(m["minutes"]),
                None if m["km"] is None else self.array(m["km"]),
                None if m["cost"] is None else self.array(m["cost"]),
                None if m["timetable"] is None else self.timetable(m["timetable"]),
            )
        return self._matrices[i]

    def travel(self, ref: dict[str, Any]) -> TravelMatrix | tuple[TravelMatrix, ...]:
        # the same reference gives the same object: Problem.travel is modes[0].travel
        key = json.dumps(ref, sort_keys=True)
        if key not in self._travels:
            if "matrix" in ref:
                self._travels[key] = self.matrix(ref["matrix"])
            else:
                self._travels[key] = tuple(self.matrix(i) for i in ref["per_day"])
        return self._travels[key]

    def problem(self) -> Problem:
        s = self.s
        modes = tuple(
            Mode(m["id"], self.travel(m["travel"]), m["day_minimum"], m["day_penalty"])
            for m in s["modes"]
        )
        travel = modes[0].travel if modes else self.travel(s["travel"])
        return Problem(
            places=tuple(_read_place(x) for x in s["places"]),
            days=tuple(_read_day(x) for x in s["days"]),
            travel=travel,
            start_node=s["start_node"],
            end_node=s["end_node"],
            nights=tuple(tuple(_read_hub(h) for h in cands) for cands in s["nights"]),
            groups=tuple(
                Group(
                    g["id"],
                    None if g["allowed_places"] is None else frozenset(g["allowed_places"]),
                )
                for g in s["groups"]
            ),
            quotas=tuple(Quota(**q) for q in s["quotas"]),
            must_visit=frozenset(s["must_visit"]),
            exclude=frozenset(s["exclude"]),
            required_provinces=frozenset(s["required_provinces"]),
            min_provinces=s["min_provinces"],
            budget=s["budget"],
            cost_per_km=s["cost_per_km"],
            max_drive_min_per_day=s["max_drive_min_per_day"],
            max_stops_per_day=s["max_stops_per_day"],
            shared_places=s["shared_places"],
            travel_weight=s["travel_weight"],
            money_weight=s["money_weight"],
            modes=modes,
            variety=tuple(
                VarietyRule(**{**r, "day_penalties": tuple(r["day_penalties"])})
                for r in s["variety"]
            ),
            must_any=tuple(frozenset(x) for x in s["must_any"]),
        )


def _read_place(x: dict[str, Any]) -> Place:
    windows = x["windows"]
    return Place(
        **{k: v for k, v in x.items() if k != "windows"},
        windows=None if windows is None else tuple(TimeWindow(a, b) for a, b in windows),
    )


def _read_day(x: dict[str, Any]) -> Day:
    lunch = x["lunch"]
    return Day(x["start_min"], x["end_min"], None if lunch is None else Lunch(**lunch))


def _read_hub(x: dict[str, Any]) -> Hub:
    return Hub(**x)


# -- comparing -------------------------------------------------------------------------------


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, np.generic) and not isinstance(a, np.ndarray):
        a = a.item()  # a numpy scalar computes as its Python twin
    if isinstance(b, np.generic) and not isinstance(b, np.ndarray):
        b = b.item()
    if type(a) is not type(b):
        out.append(f"{path}: {type(a).__name__} != {type(b).__name__}")
    elif isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            out.append(f"{path}: array {a.dtype}{a.shape} != {b.dtype}{b.shape}")
        elif not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            out.append(f"{path}: array values differ")
    elif type(a) in FIELDS:
        for f in dataclasses.fields(a):
            if f.init:
                _diff(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", out)
    elif isinstance(a, tuple):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items != {len(b)}")
        else:
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
