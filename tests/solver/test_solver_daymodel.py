"""The exact day timing of the application model against a brute-force reference.

The reference enumerates every place for the lunch break (at a leg's origin, at a visit before
it starts, inside a visit that may hold it, at the end) and simulates each choice forward with
plain waiting; a route fits if one choice fits. The fast passes of :mod:`solver.daymodel` must
agree with it on every random route, and on every insertion of a candidate into every gap.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from solver.daymodel import INF
from solver.daymodel import DayModel
from solver.daymodel import Terminals
from solver.daymodel import TravelLookup
from solver.daymodel import clip_windows
from solver.problem import UNREACHABLE
from solver.problem import Timetable
from solver.problem import TravelMatrix

N_NODES = 7


def _matrix(rng: random.Random) -> TravelMatrix:
    """Random minutes with some unreachable pairs and a timetable on a few pairs (a ferry
    every 40-90 minutes with a 20-50 minute ride, or no service after some hour)."""
    minutes = [
        [0 if a == b else rng.randint(5, 90) for b in range(N_NODES)] for a in range(N_NODES)
    ]
    for _ in range(3):
        a, b = rng.sample(range(N_NODES), 2)
        minutes[a][b] = None
    first, step, k = 300, 5, 240  # 05:00 .. 24:55
    pairs, rows = [], []
    for _ in range(rng.randint(0, 6)):
        a, b = rng.sample(range(N_NODES), 2)
        if (a, b) in pairs or minutes[a][b] is None:
            continue
        headway, ride = rng.randint(40, 90), rng.randint(20, 50)
        departures = list(range(rng.randint(360, 480), rng.randint(900, 1260), headway))
        row = []
        for j in range(k):
            t = first + j * step
            nxt = next((d for d in departures if d >= t), None)
            row.append(UNREACHABLE if nxt is None else nxt + ride)
        pairs.append((a, b))
        rows.append(row)
    timetable = Timetable(first, step, np.array(pairs).reshape(-1, 2), np.array(rows).reshape(len(pairs), k)) if pairs else None  # fmt: skip
    return TravelMatrix(minutes, timetable=timetable)


def _model(rng: random.Random, n_places: int) -> tuple[DayModel, list[int]]:
    lunch = None if rng.random() < 0.2 else (660, 840, rng.choice([45, 60, 75]))
    windows, service, inside = [], [], []
    for _ in range(n_places):
        svc = rng.choice([30, 60, 90, 120, 240, 360])
        if rng.random() < 0.3:
            raw = None
        else:
            o = rng.randint(420, 900)
            raw = [(o, o + rng.randint(0, 300))]
            if rng.random() < 0.4:
                o2 = raw[0][1] + rng.randint(30, 120)
                raw.append((o2, o2 + rng.randint(0, 200)))
        windows.append(clip_windows(raw, 480, 1110, svc))
        service.append(svc)
        inside.append(svc >= 180 and rng.random() < 0.7)
    nodes = [rng.randrange(N_NODES) for _ in range(n_places)]
    return DayModel(lunch, windows, service, inside), nodes


def _brute(model: DayModel, travel: TravelLookup, ends: Terminals, places, nodes) -> bool:
    """Whether some placement of lunch lets the route fit (plain forward simulation)."""
    k = len(places)
    seq = [ends.start, *nodes, ends.end]
    options: list[tuple[str, int] | None]
    if model.lunch is None or ends.lunch_done:
        options = [None]
    else:
        options = [("origin", p) for p in range(k + 1)] + [("dest", p) for p in range(1, k + 1)]
        options += [("inside", p) for p in range(1, k + 1) if model.inside[places[p - 1]]]
        options.append(("end", k + 1))
    for option in options:
        t = ends.ready
        ok = True
        for pos in range(1, k + 2):
            if option == ("origin", pos - 1):
                t = model.eat(t)
            a = travel.arr(seq[pos - 1], seq[pos], t)
            if pos == k + 1:
                if a > ends.deadline or option == ("end", pos) and model.eat(a) >= INF:
                    ok = False
                break
            i = places[pos - 1]
            if option == ("dest", pos):
                a = model.eat(a)
            if option == ("inside", pos):
                dep = model.inside_depart(i, a)
                if dep >= INF:
                    ok = False
                    break
                t = dep
                continue
            s = model.next_start(i, a)
            if s >= INF:
                ok = False
                break
            t = s + model.service[i]
        if ok:
            return True
    return False


def _check_schedule(model, travel, ends, places, nodes, sched) -> None:
    """Times of a reconstructed day obey travel, windows, durations, lunch and the deadline."""
    seq = [ends.start, *nodes, ends.end]
    t = sched.depart
    assert t >= ends.ready
    lunch = model.lunch
    ls = sched.lunch_start
    dur = lunch[2] if lunch else 0
    if lunch is not None and not ends.lunch_done:
        assert ls is not None and lunch[0] <= ls and ls + dur <= lunch[1]
    for pos, v in enumerate(sched.visits, start=1):
        i = places[pos - 1]
        eats_before = (
            ls is not None and t <= ls and ls + dur <= v.start and sched.lunch_inside != pos
        )
        earliest = travel.arr(seq[pos - 1], seq[pos], t)
        if eats_before:
            earliest = min(earliest, travel.arr(seq[pos - 1], seq[pos], ls + dur))
        assert v.arrive >= earliest
        assert v.start >= v.arrive
        assert any(o <= v.start <= c for o, c in model.windows[i])
        assert v.depart == v.start + model.service[i]
        if sched.lunch_inside == pos:
            assert model.inside[i] and v.start <= ls and ls + dur <= v.depart
        elif ls is not None:
            assert ls + dur <= v.start or ls >= v.depart
        t = v.depart
    assert sched.return_ >= travel.arr(seq[-2], seq[-1], t) or (
        ls is not None and sched.return_ >= travel.arr(seq[-2], seq[-1], ls + dur)
    )
    assert sched.return_ <= ends.deadline


@pytest.mark.parametrize("seed", range(40))
def test_daymodel_timing_matches_brute_force(seed):
    """Forward/backward passes, the reconstruction and the brute force agree on random days
    (timetabled legs, windows with gaps, lunch windows, lunch inside long visits)."""
    rng = random.Random(seed)
    travel = TravelLookup(_matrix(rng))
    n_places = 6
    model, nodes = _model(rng, n_places)
    for _ in range(25):
        k = rng.randint(0, 4)
        places = rng.sample(range(n_places), k)
        route_nodes = [nodes[i] for i in places]
        ends = Terminals(rng.randrange(N_NODES), rng.randrange(N_NODES), rng.choice([480, 540, 600]),
                         rng.choice([1110, 1050, 780]), rng.random() < 0.15)  # fmt: skip
        timing = model.timing(travel, ends, places, route_nodes)
        expected = _brute(model, travel, ends, places, route_nodes)
        assert timing.feasible == expected
        sched = model.schedule(travel, ends, places, route_nodes)
        assert (sched is not None) == expected
        if sched is not None:
            _check_schedule(model, travel, ends, places, route_nodes, sched)
        if not timing.feasible:
            continue
        rest = [i for i in range(n_places) if i not in places]
        if not rest:
            continue
        cand = np.asarray(rest, dtype=np.int64)
        feasible, shift = model.insertion(
            travel, [ends.start, *route_nodes, ends.end], timing, cand,
            np.asarray([nodes[i] for i in rest], dtype=np.int64),
        )  # fmt: skip
        for gap in range(k + 1):
            for j, i in enumerate(rest):
                trial = [*places[:gap], i, *places[gap:]]
                want = _brute(model, travel, ends, trial, [nodes[x] for x in trial])
                assert bool(feasible[gap, j]) == want, (seed, places, gap, i)
                if want:
                    assert 0 <= shift[gap, j] < INF
