"""solver.serialize: a problem saved to ``.npz`` loads back field for field and solves the same."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from solver import UNREACHABLE
from solver import Day
from solver import Group
from solver import Hub
from solver import Lunch
from solver import Mode
from solver import Place
from solver import Problem
from solver import ProblemError
from solver import Quota
from solver import SolveParams
from solver import Timetable
from solver import TimeWindow
from solver import TravelMatrix
from solver import VarietyRule
from solver import solve
from solver import validate
from solver.instances import synthetic_trip
from solver.serialize import FIELDS
from solver.serialize import differences
from solver.serialize import fingerprint
from solver.serialize import load_problem
from solver.serialize import read_meta
from solver.serialize import save_problem

#: work limits instead of the clock, so that a run depends on the problem and the seed only
DETERMINISTIC = {"time_limit_s": 30.0, "seed": 3, "max_rounds": 2, "solutions_per_run": 20}


def _ferry(first: int, departures: tuple[int, ...], crossing: int, samples: int) -> list[int]:
    """Arrivals per departure sample (every 30 min from ``first``) of a boat leaving at
    ``departures``; no boat after the last one."""
    row = []
    for k in range(samples):
        t = first + 30 * k
        nxt = [d for d in departures if d >= t]
        row.append(nxt[0] + crossing if nxt else UNREACHABLE)
    return row


def timetabled_modes() -> Problem:
    """Two days around a bay, every part of the application model at once: an island reached
    by a timetabled ferry (day 1: an all-unreachable row), a public mode with leg money and a
    private one with km, a day minimum and a day penalty; a hotel and a cruise night with its
    deadlines; a variety rule, a family, a lunch held inside a boat trip, a must_any set over a
    place and the cruise, a quota, a group limited to some places, a closed place and a place
    open whenever the day is."""
    pts = [(0, 0), (20, 0), (0, 25), (60, 10), (15, 15), (5, 5), (30, 30)]
    km = np.array([[math.dist(a, b) for b in pts] for a in pts])
    minutes = np.rint(km * 1.5).astype(np.int64)
    minutes[3, 6] = minutes[6, 3] = UNREACHABLE
    km_public = km.copy()
    km_public[3, 6] = km_public[6, 3] = np.nan
    matrices = []
    for d in range(2):
        base = 1440 * d
        first, samples = base + 420, 24
        rows = [
            _ferry(first, (base + 540, base + 840), 60, samples),
            _ferry(first, (base + 660, base + 960), 60, samples),
        ]
        if d == 1:
            rows[1] = [UNREACHABLE] * samples  # no boat back on day 1
        tt = Timetable(first, 30, np.array([[0, 3], [3, 0]]), np.array(rows))
        cost = km * 4_000.0
        cost[0, 3] = cost[3, 0] = 120_000.5
        matrices.append(TravelMatrix(minutes, km_public, cost=cost, timetable=tt))
    public = Mode("public", tuple(matrices))
    private = Mode(
        "private", TravelMatrix(minutes, km_public), day_minimum=900_000, day_penalty=2.5
    )
    days = (
        Day(480, 1080, Lunch(660, 810, 60)),
        Day(1440 + 480, 1440 + 1080, Lunch(1440 + 660, 1440 + 810, 45)),
    )
    places = (
        Place("pagoda", 1, 30.0, 60, windows=None, cost=40_000, province="A", kind="worship"),
        Place(
            "temple",
            2,
            25.5,
            45,
            windows=(TimeWindow(1440 + 480, 1440 + 960), TimeWindow(480, 700)),
            province="A",
            kind="worship",
        ),
        Place("island", 3, 50.0, 90, cost=0, province="B", quota_key="boats"),
        Place(
            "bay-trip",
            4,
            40.0,
            240,
            windows=(TimeWindow(480, 600),),
            cost=350_000,
            province="B",
            family="bay",
            lunch_inside=True,
        ),
        Place("museum", 5, 5.0, 30, windows=(), province="C"),
    )
    nights = (
        (
            Hub("hotel", 5, 700_000),
            Hub(
                "cruise",
                6,
                2_500_000,
                prize=18.75,
                arrive_by_min=960,
                leave_from_min=1440 + 600,
                lunch_on_departure=True,
                family="bay",
            ),
        ),
    )
    return Problem(
        places=places,
        days=days,
        travel=public.travel,
        start_node=0,
        end_node=0,
        nights=nights,
        groups=(Group("a"), Group("b", allowed_places=frozenset({"pagoda", "island"}))),
        quotas=(Quota("boats", 0, 1), Quota("boats", 1, 1)),
        must_visit=frozenset({"pagoda"}),
        exclude=frozenset({"temple"}),
        required_provinces=frozenset({"A"}),
        min_provinces=1,
        budget=9_000_000,
        cost_per_km=3_000.0,
        max_drive_min_per_day=240,
        max_stops_per_day=4,
        shared_places=False,
        travel_weight=0.02,
        money_weight=1.5e-6,
        modes=(public, private),
        variety=(VarietyRule("worship", (3.0, 5.0), day_cap=2, trip_free=2, trip_penalty=1.25),),
        must_any=(frozenset({"bay-trip", "cruise"}),),
    )


CASES = {
    "synthetic-40-3d": lambda: synthetic_trip(n_places=40, n_days=3, seed=1),
    "timetabled-modes": timetabled_modes,
}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_serialize_round_trip_keeps_every_field(name, tmp_path):
    """Every field of the loaded problem equals the saved one, arrays with their -1 and NaN."""
    problem = CASES[name]()
    loaded = load_problem(save_problem(problem, tmp_path / "p.npz"))
    assert differences(problem, loaded) == []
    assert loaded.modes == () or loaded.travel is loaded.modes[0].travel


def test_serialize_round_trip_keeps_timetables_and_gaps(tmp_path):
    """Timetable arrivals (with their unreachable suffix and all-unreachable rows), NaN km and
    the money matrix come back exactly; matrices shared by modes stay shared."""
    problem = timetabled_modes()
    loaded = load_problem(save_problem(problem, tmp_path / "p.npz"))
    for d in range(2):
        a, b = problem.modes[0].matrix(d), loaded.modes[0].matrix(d)
        assert np.array_equal(a.timetable.arrive, b.timetable.arrive)
        assert np.array_equal(a.timetable.pairs, b.timetable.pairs)
        assert np.array_equal(a.km, b.km, equal_nan=True)
        assert np.array_equal(a.cost, b.cost)
        assert b.arrival(0, 3, 1440 * d + 500) == a.arrival(0, 3, 1440 * d + 500)
    assert loaded.modes[0].matrix(1).timetable.arrive[1].tolist() == [UNREACHABLE] * 24
    assert math.isnan(loaded.modes[1].travel.km[3, 6])
    assert loaded.modes[1].travel.minutes[3, 6] == UNREACHABLE


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_serialize_loaded_problem_solves_the_same(name, tmp_path):
    """With work limits, the saved and the loaded problem give the same plan and objective,
    and each plan validates against the other problem."""
    problem = CASES[name]()
    loaded = load_problem(save_problem(problem, tmp_path / "p.npz"))
    a = solve(problem, SolveParams(**DETERMINISTIC))
    b = solve(loaded, SolveParams(**DETERMINISTIC))
    assert a.is_valid, a.message
    assert a.plans == b.plans
    assert a.objective == b.objective
    assert validate(loaded, a) == []
    assert validate(problem, b) == []


def test_serialize_file_loads_without_pickle_and_stores_json(tmp_path):
    """The file is plain arrays plus one JSON string: it loads with allow_pickle=False."""
    path = save_problem(timetabled_modes(), tmp_path / "p")
    assert path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as data:
        structure = json.loads(str(data["structure"][0]))
        assert all(data[f].dtype != object for f in data.files)
    assert structure["format"] == "solver.Problem"
    assert [m["id"] for m in structure["modes"]] == ["public", "private"]


def test_serialize_load_raises_on_a_foreign_npz(tmp_path):
    """An .npz that was not written by save_problem is refused with the reason."""
    path = tmp_path / "other.npz"
    np.savez_compressed(path, x=np.arange(3))
    with pytest.raises(ProblemError, match="not a saved solver problem"):
        load_problem(path)


@pytest.mark.parametrize("cls", list(FIELDS), ids=[c.__name__ for c in FIELDS])
def test_serialize_knows_every_field(cls):
    """The serializer writes every init field of every problem type (a new field must be
    added to solver.serialize, or it would be lost on the way)."""
    assert set(FIELDS[cls]) == {f.name for f in dataclasses.fields(cls) if f.init}


def test_serialize_meta_is_read_back_and_leaves_the_problem_alone(tmp_path):
    """Notes saved with a problem come back with read_meta and do not change the problem."""
    problem = timetabled_modes()
    path = save_problem(problem, tmp_path / "p.npz", meta={"id": "x", "request": {"days": 2}})
    assert read_meta(path) == {"id": "x", "request": {"days": 2}}
    assert read_meta(save_problem(problem, tmp_path / "q.npz")) == {}
    assert differences(problem, load_problem(path)) == []


def test_serialize_fingerprint_survives_the_round_trip_and_sees_a_change(tmp_path):
    """The fingerprint of a loaded problem is the saved one's; one changed prize changes it."""
    problem = timetabled_modes()
    loaded = load_problem(save_problem(problem, tmp_path / "p.npz"))
    assert fingerprint(loaded) == fingerprint(problem)
    changed = dataclasses.replace(
        problem,
        places=(dataclasses.replace(problem.places[0], prize=30.5), *problem.places[1:]),
    )
    assert fingerprint(changed) != fingerprint(problem)
