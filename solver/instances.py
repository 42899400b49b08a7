"""Readers for the literature benchmarks (TOPTW, OPHS) and their BKS tables.

Each reader returns a :class:`BenchInstance`: the instance as a :class:`~solver.problem.Problem`
plus what is needed to check a result under the benchmark's *own* conventions, independently of
the solver (:meth:`BenchInstance.check`).

TOPTW (Solomon / Cordeau files, see ``benchmarks/toptw/README.md``): one day ``[0, Tmax]``,
``m`` groups starting and ending at vertex 0, time windows on the start of service, travel =
Euclidean distance truncated to 1 decimal (Solomon) or 2 (Cordeau). Everything is scaled by 10
or 100 so the integer model is exact.

OPHS (Divsalar et al. files, see ``benchmarks/ophs/README.md``): ``D`` days (trips), every hotel
is a candidate for every night, unrounded Euclidean travel. The model uses
``ceil(10**6 * distance)`` per leg and ``floor(10**6 * Td)`` per trip, which is conservative: any
plan feasible in the model is feasible in real numbers.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from solver.problem import Day
from solver.problem import Group
from solver.problem import Hub
from solver.problem import Lunch
from solver.problem import Place
from solver.problem import Problem
from solver.problem import Quota
from solver.problem import TimeWindow
from solver.problem import TravelMatrix

OPHS_SCALE = 1_000_000


@dataclass(frozen=True, slots=True, eq=False)
class BenchInstance:
    """A benchmark instance, its :class:`Problem` and its data for an independent check."""

    name: str
    kind: str  # "toptw" or "ophs"
    problem: Problem
    coords: np.ndarray
    score: np.ndarray
    service: np.ndarray
    open: np.ndarray
    close: np.ndarray
    decimals: int  # TOPTW truncation decimals (0 for OPHS: unrounded)
    first_vertex: int = 1
    trip_limits: tuple[float, ...] = ()

    def vertex_of(self, place_id: str) -> int:
        """Benchmark vertex id of a place id (``"v<i>"``)."""
        return int(place_id[1:])

    def travel(self, a: int, b: int) -> float:
        """Benchmark travel time between vertices ``a`` and ``b``."""
        dx, dy = self.coords[a] - self.coords[b]
        dist = math.hypot(dx, dy)
        if self.decimals:
            f = 10**self.decimals
            return math.floor(dist * f + 1e-7) / f
        return dist

    def check(self, routes: list[list[int]]) -> tuple[bool, float, str]:
        """Check routes (vertex ids per tour, depot/hotels excluded for TOPTW; for OPHS one list
        per trip whose first and last entries are the hotels) under the benchmark's rules.

        Returns (feasible, score, reason).
        """
        if self.kind == "toptw":
            return self._check_toptw(routes)
        return self._check_ophs(routes)

    def _check_toptw(self, routes: list[list[int]]) -> tuple[bool, float, str]:
        seen: set[int] = set()
        total = 0.0
        eps = 1e-6
        for r in routes:
            t = float(self.open[0])
            prev = 0
            for v in r:
                if v in seen or not self.is_vertex(v):
                    return False, 0.0, f"vertex {v} repeated or invalid"
                seen.add(v)
                t = max(t + self.travel(prev, v), float(self.open[v]))
                if t > self.close[v] + eps:
                    return False, 0.0, f"vertex {v} starts at {t} after closing {self.close[v]}"
                t += self.service[v]
                total += self.score[v]
                prev = v
            t += self.travel(prev, 0)
            if t > self.close[0] + eps:
                return False, 0.0, f"tour returns at {t} after Tmax {self.close[0]}"
        return True, total, ""

    def _check_ophs(self, trips: list[list[int]]) -> tuple[bool, float, str]:
        seen: set[int] = set()
        total = 0.0
        if len(trips) != len(self.trip_limits):
            return False, 0.0, "wrong number of trips"
        for d, trip in enumerate(trips):
            if d == 0 and trip[0] != 0:
                return False, 0.0, "first trip must start at the start hotel"
            if d == len(trips) - 1 and trip[-1] != 1:
                return False, 0.0, "last trip must end at the end hotel"
            if d > 0 and trip[0] != trips[d - 1][-1]:
                return False, 0.0, f"trip {d} does not start where trip {d - 1} ended"
            length = sum(self.travel(a, b) for a, b in zip(trip, trip[1:], strict=False))
            if length > self.trip_limits[d] + 1e-6:
                return False, 0.0, f"trip {d} is {length:.4f} long, limit {self.trip_limits[d]}"
            for v in trip[1:-1]:
                if v in seen or not self.is_vertex(v):
                    return False, 0.0, f"vertex {v} repeated or not a vertex"
                seen.add(v)
                total += self.score[v]
        return True, total, ""

    def is_vertex(self, v: int) -> bool:
        """Whether ``v`` is a customer vertex (not a hotel/depot)."""
        return self.first_vertex <= v < len(self.score)


def _tokens(path: Path) -> list[str]:
    return path.read_text().split()


def read_toptw(path: str | Path, tours: int) -> BenchInstance:
    """Read a TOPTW file (Solomon or Cordeau) as a problem with ``tours`` groups."""
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    head = [tok for ln in lines[:3] for tok in ln]
    n = int(head[2])
    vertex_lines = lines[-(n + 1) :]
    decimals = 2 if re.match(r"pr\d+", path.stem) else 1
    scale = 10**decimals
    coords = np.array([[float(v[1]), float(v[2])] for v in vertex_lines])
    service = np.array([float(v[3]) for v in vertex_lines])
    score = np.array([float(v[4]) for v in vertex_lines])
    o = np.array([float(v[-2]) for v in vertex_lines])
    c = np.array([float(v[-1]) for v in vertex_lines])
    diff = coords[:, None, :] - coords[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    minutes = np.floor(dist * scale + 1e-7).astype(np.int64)
    places = tuple(
        Place(
            id=f"v{i}",
            node=i,
            prize=float(score[i]),
            visit_min=round(service[i] * scale),
            windows=(TimeWindow(round(o[i] * scale), round(c[i] * scale)),),
        )
        for i in range(1, n + 1)
    )
    problem = Problem(
        places=places,
        days=(Day(round(o[0] * scale), round(c[0] * scale)),),
        travel=TravelMatrix(minutes),
        start_node=0,
        end_node=0,
        groups=tuple(Group(f"tour-{k + 1}") for k in range(tours)),
    )
    return BenchInstance(path.stem, "toptw", problem, coords, score, service, o, c, decimals)


def read_ophs(path: str | Path) -> BenchInstance:
    """Read an OPHS file as a problem with one day per trip and every hotel a candidate."""
    path = Path(path)
    tok = _tokens(path)
    n, h, d = int(tok[0]), int(tok[1]), int(tok[2])
    pos = 4  # skip Tmax
    limits = tuple(float(x) for x in tok[pos : pos + d])
    pos += d
    pts = []
    for _ in range(n + h):
        pts.append((float(tok[pos]), float(tok[pos + 1]), float(tok[pos + 2])))
        pos += 3
    coords = np.array([[x, y] for x, y, _ in pts])
    score = np.array([s for _, _, s in pts])
    n_hotels = h + 2
    diff = coords[:, None, :] - coords[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    minutes = np.ceil(dist * OPHS_SCALE - 1e-9).astype(np.int64)
    lengths = [math.floor(t * OPHS_SCALE + 1e-9) for t in limits]
    offset = max(lengths) + 1
    days = tuple(Day(k * offset, k * offset + lengths[k]) for k in range(d))
    hotels = tuple(Hub(f"h{k}", k) for k in range(n_hotels))
    places = tuple(Place(id=f"v{i}", node=i, prize=float(score[i])) for i in range(n_hotels, n + h))
    problem = Problem(
        places=places,
        days=days,
        travel=TravelMatrix(minutes),
        start_node=0,
        end_node=1,
        nights=tuple(hotels for _ in range(d - 1)),
        groups=(Group("tour"),),
    )
    zeros = np.zeros(len(pts))
    return BenchInstance(
        path.stem, "ophs", problem, coords, score, zeros, zeros, zeros, 0, n_hotels, limits
    )


def read_bks(path: str | Path) -> dict[tuple[str, int], float]:
    """Read a ``bks.csv`` (columns ``instance,m,bks_score,...``) as ``{(instance, m): score}``."""
    out: dict[tuple[str, int], float] = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            out[(row["instance"], int(row["m"]))] = float(row["bks_score"])
    return out


def find_instance_file(root: str | Path, name: str) -> Path:
    """The file named ``name`` (``name.txt`` or ``name.ophs``) under ``root``.

    The TOPTW ``c_r_rc_100_50`` folder (50-customer cuts, ``50_`` prefix) is never chosen.
    """
    root = Path(root)
    for suffix in (".txt", ".ophs"):
        hits = sorted(p for p in root.rglob(name + suffix) if "c_r_rc_100_50" not in p.parts)
        if hits:
            return hits[0]
    raise FileNotFoundError(f"no instance file {name!r} under {root}")


def synthetic_trip(
    n_places: int = 200,
    n_days: int = 5,
    n_hubs: int = 12,
    n_groups: int = 1,
    seed: int = 0,
) -> Problem:
    """A seeded application-scale trip, for benchmarks of the full model.

    ``n_places`` places around 8 provinces over a 300 x 200 km region, driven at 45 km/h on
    roads 1.3 x longer than the crow flies; 5 % of the places are on an island whose ferry
    does not run on days 0 and 3 (per-day matrices with unreachable legs); opening hours
    8:00-17:00, some with a midday closure (two windows), some closed on day 2; days 7:30-19:00
    with a 60-minute lunch in 11:00-13:30; ``n_hubs`` candidate hubs per night; a shared quota
    (one group per day on the bay boats); at most 300 driving minutes and 6 stops per day; a
    budget; small weights on driving and money.
    """
    rng = np.random.default_rng(seed)
    centres = rng.uniform([0, 0], [300, 200], size=(8, 2))
    prov = rng.integers(0, 8, size=n_places)
    pts = centres[prov] + rng.normal(0, 15, size=(n_places, 2))
    hub_pts = centres[rng.integers(0, 8, size=(n_days - 1) * n_hubs)] + rng.normal(
        0, 5, size=((n_days - 1) * n_hubs, 2)
    )
    start = np.array([[150.0, 100.0]])
    coords = np.vstack([start, pts, hub_pts])
    km = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2)) * 1.3
    minutes = np.rint(km / 45.0 * 60.0).astype(np.int64)
    island = set(rng.choice(np.arange(1, n_places + 1), size=max(1, n_places // 20), replace=False))
    matrices = []
    for d in range(n_days):
        m = minutes.copy()
        kmd = km.copy()
        if d in (0, 3):
            for i in island:
                others = [j for j in range(len(coords)) if j not in island]
                m[i, others] = -1
                m[others, i] = -1
                kmd[i, others] = np.nan
                kmd[others, i] = np.nan
        matrices.append(TravelMatrix(m, kmd))
    quota_places = set(rng.choice(np.arange(1, n_places + 1), size=3, replace=False).tolist())
    places = []
    for k in range(n_places):
        node = k + 1
        visit = int(rng.choice([30, 45, 60, 90, 120, 180]))
        wins = []
        closed_day2 = rng.random() < 0.15
        split = rng.random() < 0.25
        for d in range(n_days):
            if closed_day2 and d == 2:
                continue
            base = 1440 * d
            if split:
                wins.append(TimeWindow(base + 7 * 60, base + 11 * 60 - visit // 2))
                wins.append(TimeWindow(base + 13 * 60 + 30, base + 17 * 60 - visit))
            else:
                wins.append(TimeWindow(base + 8 * 60, base + 17 * 60 - visit))
        places.append(
            Place(
                id=f"place-{node}",
                node=node,
                prize=float(rng.integers(1, 101)),
                visit_min=visit,
                windows=tuple(w for w in wins if w.end_min >= w.start_min),
                cost=int(rng.choice([0, 0, 50_000, 100_000, 200_000])),
                province=f"province-{prov[k]}",
                quota_key="bay-boats" if node in quota_places else None,
            )
        )
    days = tuple(
        Day(1440 * d + 7 * 60 + 30, 1440 * d + 19 * 60, Lunch(1440 * d + 660, 1440 * d + 810, 60))
        for d in range(n_days)
    )
    first_hub = 1 + n_places
    nights = tuple(
        tuple(
            Hub(
                f"hub-{n}-{h}",
                first_hub + n * n_hubs + h,
                int(rng.integers(3, 20)) * 100_000,
            )
            for h in range(n_hubs)
        )
        for n in range(n_days - 1)
    )
    return Problem(
        places=tuple(places),
        days=days,
        travel=tuple(matrices),
        start_node=0,
        end_node=0,
        nights=nights,
        groups=tuple(Group(f"group-{g + 1}") for g in range(n_groups)),
        quotas=tuple(Quota("bay-boats", d, 1) for d in range(n_days)),
        budget=15_000_000 * n_groups,
        cost_per_km=3_000,
        max_drive_min_per_day=300,
        max_stops_per_day=6,
        travel_weight=0.02,
        money_weight=1e-6,
    )
