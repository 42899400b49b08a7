"""The solver's input: a multi-day, multi-group orienteering problem with hotel selection.

Every type here is a frozen, slotted dataclass that checks itself in ``__post_init__`` and
raises :class:`ProblemError` (a ``ValueError``) with a message naming the bad field.

Conventions
-----------
* Times are integer minutes from the start of the trip. By convention day ``d`` starts at
  minute ``1440 * d``, but only the explicit :class:`Day` bounds are enforced.
* The travel matrix is indexed by *node*: every :class:`Place`, every :class:`Hub` and the
  trip's start and end points carry a ``node`` index into it. Several objects may share a node.
* An unreachable pair is written ``None`` in a nested list (or :data:`UNREACHABLE` = ``-1`` in
  a numpy array of minutes). It is never replaced by a large number: the solver never uses such
  a leg and the validator reports it as a violation.
* Time windows constrain the *start* of a visit (the literature's convention). A caller whose
  visits must end by closing time passes ``close - visit_min`` as the window's end.
* Money is in VND (integers); ``prize`` is the value of a place to this traveller, in any unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np

#: Sentinel for an unreachable pair in a numpy matrix of minutes (``None`` in nested lists).
UNREACHABLE = -1


class ProblemError(ValueError):
    """A problem field is invalid; the message names the field and the reason."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ProblemError(message)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """An interval in which a visit may *start*.

    Parameters
    ----------
    start_min, end_min
        Earliest and latest start of service, in trip minutes (inclusive).
    """

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        _check(
            self.end_min >= self.start_min,
            f"TimeWindow.end_min ({self.end_min}) is before start_min ({self.start_min}).",
        )


@dataclass(frozen=True, slots=True)
class Lunch:
    """A lunch break of ``duration_min`` taken inside ``[earliest_start_min, latest_end_min]``.

    The break is taken during a leg (between leaving one place and starting the next), never
    during a visit.
    """

    earliest_start_min: int
    latest_end_min: int
    duration_min: int

    def __post_init__(self) -> None:
        _check(self.duration_min > 0, "Lunch.duration_min must be positive.")
        _check(
            self.latest_end_min - self.earliest_start_min >= self.duration_min,
            "Lunch window is shorter than Lunch.duration_min.",
        )


@dataclass(frozen=True, slots=True)
class Day:
    """One trip day: leave the day's start point at or after ``start_min``, be back at the night's
    hub (or the trip's end point) by ``end_min``, with an optional lunch break."""

    start_min: int
    end_min: int
    lunch: Lunch | None = None

    def __post_init__(self) -> None:
        _check(self.end_min >= self.start_min, "Day.end_min must not be before Day.start_min.")
        if self.lunch is not None:
            _check(
                self.lunch.earliest_start_min >= self.start_min
                and self.lunch.latest_end_min <= self.end_min,
                "Day.lunch window must lie inside the day.",
            )


@dataclass(frozen=True, slots=True)
class Place:
    """An attraction that may be visited.

    Parameters
    ----------
    id
        Unique name of the place.
    node
        Index of the place in the travel matrix.
    prize
        Value collected when visited (non-negative).
    visit_min
        Visit duration in minutes.
    windows
        Windows in which the visit may start (several per day allowed). ``None`` means open
        whenever the day is; an empty tuple means closed for the whole trip.
    cost
        Ticket cost of the visit for the whole group, VND.
    province
        Province name, for the province constraints.
    quota_key
        Key of a shared capacity :class:`Quota` (e.g. ``"lan-ha-boats"``).
    """

    id: str
    node: int
    prize: float
    visit_min: int = 0
    windows: tuple[TimeWindow, ...] | None = None
    cost: int = 0
    province: str | None = None
    quota_key: str | None = None

    def __post_init__(self) -> None:
        _check(bool(self.id), "Place.id must be a non-empty string.")
        _check(self.node >= 0, f"Place {self.id!r}: node must be >= 0.")
        _check(
            self.prize >= 0 and math.isfinite(self.prize), f"Place {self.id!r}: prize must be >= 0."
        )
        _check(self.visit_min >= 0, f"Place {self.id!r}: visit_min must be >= 0.")
        _check(self.cost >= 0, f"Place {self.id!r}: cost must be >= 0.")
        if self.windows is not None:
            object.__setattr__(
                self, "windows", tuple(sorted(self.windows, key=lambda w: w.start_min))
            )
            for a, b in zip(self.windows, self.windows[1:], strict=False):
                _check(
                    b.start_min > a.end_min,
                    f"Place {self.id!r}: windows overlap ({a} and {b}).",
                )


@dataclass(frozen=True, slots=True)
class Hub:
    """A place to sleep: a candidate for one night, with the lodging cost of that night (VND)."""

    id: str
    node: int
    lodging_cost: int = 0

    def __post_init__(self) -> None:
        _check(bool(self.id), "Hub.id must be a non-empty string.")
        _check(self.node >= 0, f"Hub {self.id!r}: node must be >= 0.")
        _check(self.lodging_cost >= 0, f"Hub {self.id!r}: lodging_cost must be >= 0.")


@dataclass(frozen=True, slots=True)
class Group:
    """A travelling group (one vehicle per day).

    ``allowed_places`` restricts the places this group may visit (``None``: all of them).
    """

    id: str
    allowed_places: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _check(bool(self.id), "Group.id must be a non-empty string.")
        if self.allowed_places is not None:
            object.__setattr__(self, "allowed_places", frozenset(self.allowed_places))


@dataclass(frozen=True, slots=True)
class Quota:
    """At most ``capacity`` groups may visit places whose ``quota_key`` is ``key`` on ``day``."""

    key: str
    day: int
    capacity: int

    def __post_init__(self) -> None:
        _check(bool(self.key), "Quota.key must be a non-empty string.")
        _check(self.day >= 0, f"Quota {self.key!r}: day must be >= 0.")
        _check(self.capacity >= 0, f"Quota {self.key!r}: capacity must be >= 0.")


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Travel minutes and kilometres between nodes.

    Parameters
    ----------
    minutes
        Square matrix of integer minutes; ``None`` (nested lists) or :data:`UNREACHABLE`
        (numpy) marks an unreachable pair. Stored as a read-only ``int64`` numpy array with
        ``UNREACHABLE`` for unreachable pairs.
    km
        Optional matrix of the same shape in kilometres (``None`` entries allowed where the
        pair is unreachable). Missing means 0 km everywhere.
    """

    minutes: np.ndarray
    km: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "minutes", _as_minutes(self.minutes))
        n = self.minutes.shape[0]
        if self.km is not None:
            km = _as_km(self.km)
            _check(km.shape == (n, n), f"TravelMatrix.km must be {n}x{n} like minutes.")
            object.__setattr__(self, "km", km)

    @property
    def size(self) -> int:
        """Number of nodes."""
        return int(self.minutes.shape[0])

    def reachable(self, a: int, b: int) -> bool:
        """Whether the leg ``a -> b`` exists."""
        return bool(self.minutes[a, b] != UNREACHABLE)


def _as_minutes(value: object) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value.astype(np.int64, copy=True)
    else:
        rows = [[UNREACHABLE if x is None else x for x in row] for row in value]  # type: ignore[union-attr]
        _check(all(len(r) == len(rows) for r in rows), "TravelMatrix.minutes must be square.")
        arr = np.asarray(rows, dtype=np.float64)
        _check(
            bool(np.all(np.isfinite(arr))),
            "TravelMatrix.minutes must be finite (None=unreachable).",
        )
        _check(bool(np.all(arr == np.round(arr))), "TravelMatrix.minutes must be integers.")
        arr = arr.astype(np.int64)
    _check(arr.ndim == 2 and arr.shape[0] == arr.shape[1], "TravelMatrix.minutes must be square.")
    _check(
        bool(np.all((arr >= 0) | (arr == UNREACHABLE))),
        "TravelMatrix.minutes must be >= 0 (or UNREACHABLE).",
    )
    arr.setflags(write=False)
    return arr


def _as_km(value: object) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value.astype(np.float64, copy=True)
    else:
        rows = [[math.nan if x is None else x for x in row] for row in value]  # type: ignore[union-attr]
        _check(all(len(r) == len(rows) for r in rows), "TravelMatrix.km must be square.")
        arr = np.asarray(rows, dtype=np.float64)
    _check(bool(np.all((arr >= 0) | np.isnan(arr))), "TravelMatrix.km must be >= 0.")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class Problem:
    """A whole trip to plan.

    Parameters
    ----------
    places
        Candidate attractions (unique ids).
    days
        Trip days in order; they must not overlap.
    travel
        One :class:`TravelMatrix` for the whole trip, or a tuple with one per day (day ``d``
        uses ``travel[d]``).
    start_node, end_node
        Where the trip starts (day 0) and ends (last day).
    nights
        For each night ``d`` (between day ``d`` and day ``d+1``) the candidate hubs. Must have
        ``len(days) - 1`` entries, each non-empty.
    groups
        The travelling groups; each group has one route per day.
    quotas
        Shared capacities per quota key and day (see :class:`Quota`).
    must_visit, exclude
        Place ids that must be visited (by some group) / must not be visited.
    required_provinces, min_provinces
        Provinces that every group's tour must touch, and the minimum number of distinct
        provinces each group's tour must touch.
    budget
        Cap on each group's total cost (tickets + lodging + travel), VND; ``None``: no cap.
    cost_per_km
        Travel cost per km, VND (needs ``km`` in the travel matrix).
    max_drive_min_per_day, max_stops_per_day
        Per group and day caps on driving minutes and on the number of visits.
    shared_places
        ``True`` (team orienteering): each place is visited at most once over all groups and
        its prize is collected once. ``False``: every group may visit every place once and
        collects its own prize (groups only interact through quotas).
    travel_weight, money_weight
        Objective weights: prize units lost per driving minute and per VND spent.
    """

    places: tuple[Place, ...]
    days: tuple[Day, ...]
    travel: TravelMatrix | tuple[TravelMatrix, ...]
    start_node: int
    end_node: int
    nights: tuple[tuple[Hub, ...], ...] = ()
    groups: tuple[Group, ...] = (Group("group-1"),)
    quotas: tuple[Quota, ...] = ()
    must_visit: frozenset[str] = field(default_factory=frozenset)
    exclude: frozenset[str] = field(default_factory=frozenset)
    required_provinces: frozenset[str] = field(default_factory=frozenset)
    min_provinces: int = 0
    budget: int | None = None
    cost_per_km: float = 0.0
    max_drive_min_per_day: int | None = None
    max_stops_per_day: int | None = None
    shared_places: bool = True
    travel_weight: float = 0.0
    money_weight: float = 0.0

    def __post_init__(self) -> None:
        for name in ("places", "days", "nights", "groups", "quotas"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "nights", tuple(tuple(n) for n in self.nights))
        for name in ("must_visit", "exclude", "required_provinces"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        _check(len(self.days) >= 1, "Problem.days must contain at least one day.")
        _check(len(self.groups) >= 1, "Problem.groups must contain at least one group.")
        for a, b in zip(self.days, self.days[1:], strict=False):
            _check(b.start_min >= a.end_min, "Problem.days must be in order and not overlap.")
        if isinstance(self.travel, TravelMatrix):
            matrices: tuple[TravelMatrix, ...] = (self.travel,)
        else:
            matrices = tuple(self.travel)
            object.__setattr__(self, "travel", matrices)
            _check(
                len(matrices) == len(self.days),
                f"Problem.travel has {len(matrices)} matrices for {len(self.days)} days.",
            )
        sizes = {m.size for m in matrices}
        _check(len(sizes) == 1, "Problem.travel matrices must all have the same size.")
        n = sizes.pop()
        ids = [p.id for p in self.places]
        _check(len(set(ids)) == len(ids), "Problem.places ids must be unique.")
        for p in self.places:
            _check(p.node < n, f"Place {p.id!r}: node {p.node} is outside the travel matrix.")
        for name in ("start_node", "end_node"):
            v = getattr(self, name)
            _check(0 <= v < n, f"Problem.{name} {v} is outside the travel matrix.")
        _check(
            len(self.nights) == len(self.days) - 1,
            f"Problem.nights must have {len(self.days) - 1} entries (one per night), "
            f"got {len(self.nights)}.",
        )
        for i, cands in enumerate(self.nights):
            _check(len(cands) >= 1, f"Problem.nights[{i}] has no candidate hub.")
            hub_ids = [h.id for h in cands]
            _check(len(set(hub_ids)) == len(hub_ids), f"Problem.nights[{i}] repeats a hub id.")
            for h in cands:
                _check(h.node < n, f"Hub {h.id!r}: node {h.node} is outside the travel matrix.")
        gids = [g.id for g in self.groups]
        _check(len(set(gids)) == len(gids), "Problem.groups ids must be unique.")
        known = set(ids)
        for name in ("must_visit", "exclude"):
            unknown = sorted(getattr(self, name) - known)
            _check(not unknown, f"Problem.{name} names unknown places: {unknown}.")
        _check(
            not (self.must_visit & self.exclude),
            f"Problem.must_visit and exclude share {sorted(self.must_visit & self.exclude)}.",
        )
        for g in self.groups:
            if g.allowed_places is not None:
                unknown = sorted(g.allowed_places - known)
                _check(not unknown, f"Group {g.id!r}: allowed_places names unknown {unknown}.")
        for q in self.quotas:
            _check(q.day < len(self.days), f"Quota {q.key!r}: day {q.day} is not a trip day.")
        keys = [(q.key, q.day) for q in self.quotas]
        _check(len(set(keys)) == len(keys), "Problem.quotas repeats a (key, day) pair.")
        _check(self.min_provinces >= 0, "Problem.min_provinces must be >= 0.")
        _check(self.budget is None or self.budget >= 0, "Problem.budget must be >= 0.")
        _check(self.cost_per_km >= 0, "Problem.cost_per_km must be >= 0.")
        if self.cost_per_km > 0:
            _check(
                all(m.km is not None for m in matrices),
                "Problem.cost_per_km needs km in every travel matrix.",
            )
        for name in ("max_drive_min_per_day", "max_stops_per_day"):
            v = getattr(self, name)
            _check(v is None or v >= 0, f"Problem.{name} must be >= 0.")
        _check(self.travel_weight >= 0, "Problem.travel_weight must be >= 0.")
        _check(self.money_weight >= 0, "Problem.money_weight must be >= 0.")

    # -- helpers used by the solver and the validator ---------------------------------------

    def matrix(self, day: int) -> TravelMatrix:
        """The travel matrix used on ``day``."""
        if isinstance(self.travel, TravelMatrix):
            return self.travel
        return self.travel[day]

    @property
    def n_nodes(self) -> int:
        """Number of nodes of the travel matrix."""
        return self.matrix(0).size

    def place(self, place_id: str) -> Place:
        """The place named ``place_id`` (``KeyError`` if unknown)."""
        return _place_index(self)[place_id]

    def day_starts(self, night_hubs: Sequence[Hub]) -> list[int]:
        """Start node of each day given the hub of each night."""
        return [self.start_node, *(h.node for h in night_hubs)]

    def day_ends(self, night_hubs: Sequence[Hub]) -> list[int]:
        """End node of each day given the hub of each night."""
        return [*(h.node for h in night_hubs), self.end_node]


_INDEX_CACHE: dict[int, tuple[Problem, dict[str, Place]]] = {}


def _place_index(problem: Problem) -> dict[str, Place]:
    hit = _INDEX_CACHE.get(id(problem))
    if hit is not None and hit[0] is problem:
        return hit[1]
    index = {p.id: p for p in problem.places}
    if len(_INDEX_CACHE) > 64:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[id(problem)] = (problem, index)
    return index
