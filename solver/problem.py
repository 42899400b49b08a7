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

The application model (all optional; a problem without them is the textbook TOPTW/OPHS):

* **Timetables.** A :class:`TravelMatrix` may carry a :class:`Timetable`: for the pairs it
  covers, the arrival depends on the departure (a ferry, a coach line, a cable car's hours).
* **Transport modes.** :class:`Mode` gives each group-day a choice of ways to travel (a seat on
  public services, a hired vehicle), each with its own matrices, leg costs and day minimum.
* **Value.** :class:`VarietyRule` makes the value of a day concave in the number of places of
  one ``kind`` (diminishing returns per day and per trip); ``family`` makes products of one
  experience mutually exclusive (route 1 or route 2 of a bay, or a night on its cruise);
  :attr:`Problem.must_any` asks for one member of a set.
* **Nights.** A :class:`Hub` may be a cruise: a boarding deadline, a next-day disembarking
  time, a meal on board and a value of its own.
* **Meals.** A place with ``lunch_inside`` holds the lunch break inside its visit.
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


@dataclass(frozen=True, slots=True, eq=False)
class Timetable:
    """Departure-dependent travel for some node pairs of one day's matrix.

    Leaving node ``a`` of ``pairs[r] = (a, b)`` at sample time ``first_min + k * step_min``
    arrives at ``b`` at ``arrive[r, k]`` (trip minutes); :data:`UNREACHABLE` means no
    connection then or later that day. Leaving between two samples means waiting for the next
    sample, so the arrival is that of the next sample: the travel model that builds the table
    guarantees that each sample's arrival can be achieved (the earliest arrival of a network
    with waiting is non-decreasing in the departure time). Leaving before ``first_min`` waits
    for it; leaving after the last sample finds no connection.

    Parameters
    ----------
    first_min, step_min
        Trip minute of sample 0 and minutes between samples (> 0).
    pairs
        ``(P, 2)`` integer node pairs (unique).
    arrive
        ``(P, K)`` integer arrivals; per row non-decreasing and never before its sample time,
        with :data:`UNREACHABLE` only as a suffix.
    """

    first_min: int
    step_min: int
    pairs: np.ndarray
    arrive: np.ndarray
    _rows: dict[tuple[int, int], int] | None = field(init=False, repr=False, compare=False)
    _lists: list[list[int]] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check(self.step_min > 0, "Timetable.step_min must be > 0.")
        pairs = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        arrive = np.asarray(self.arrive, dtype=np.int64)
        if arrive.ndim == 1:
            arrive = arrive.reshape(len(pairs), -1)
        _check(
            arrive.ndim == 2 and arrive.shape[0] == pairs.shape[0] and arrive.shape[1] >= 1,
            "Timetable.arrive must have one row of samples per pair.",
        )
        _check(bool(np.all(pairs >= 0)), "Timetable.pairs must be node indices >= 0.")
        if len(pairs):
            codes = pairs[:, 0] * (int(pairs.max()) + 1) + pairs[:, 1]
            _check(len(np.unique(codes)) == len(codes), "Timetable.pairs must not repeat a pair.")
        k = arrive.shape[1]
        samples = self.first_min + self.step_min * np.arange(k, dtype=np.int64)
        reach = arrive != UNREACHABLE
        _check(
            bool(np.all(~reach | (arrive >= samples[None, :]))),
            "Timetable.arrive must not be before its departure sample.",
        )
        # unreachable only as a suffix, reachable prefix non-decreasing
        _check(
            bool(np.all(reach[:, :-1] | ~reach[:, 1:])),
            "Timetable: a pair cannot become reachable again after an unreachable sample.",
        )
        both = reach[:, :-1] & reach[:, 1:]
        _check(
            bool(np.all(~both | (arrive[:, 1:] >= arrive[:, :-1]))),
            "Timetable.arrive must be non-decreasing along each row.",
        )
        pairs.setflags(write=False)
        arrive.setflags(write=False)
        object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "arrive", arrive)
        object.__setattr__(self, "_rows", None)
        object.__setattr__(self, "_lists", None)

    @property
    def samples(self) -> int:
        """Number of departure samples per pair."""
        return int(self.arrive.shape[1])

    def row(self, a: int, b: int) -> int | None:
        """Row of the pair ``(a, b)``, or ``None`` when its travel does not depend on time."""
        if self._rows is None:
            rows = {(int(x), int(y)): r for r, (x, y) in enumerate(self.pairs.tolist())}
            object.__setattr__(self, "_rows", rows)
        return self._rows.get((a, b))  # type: ignore[union-attr]

    def _row_list(self, row: int) -> list[int]:
        if self._lists is None:
            object.__setattr__(self, "_lists", [None] * len(self.pairs))
        values = self._lists[row]  # type: ignore[index]
        if values is None:
            values = self.arrive[row].tolist()
            self._lists[row] = values  # type: ignore[index]
        return values

    def arrival(self, row: int, depart_min: float) -> int:
        """Arrival (trip minutes) when leaving at ``depart_min`` on pair ``row``, or
        :data:`UNREACHABLE`."""
        k = max(0, math.ceil((depart_min - self.first_min) / self.step_min))
        values = self._row_list(row)
        if k >= len(values):
            return UNREACHABLE
        return values[k]

    def latest_departure(self, row: int, arrive_by: float) -> int | None:
        """Latest sample departure on pair ``row`` that arrives by ``arrive_by`` (``None``:
        none does)."""
        values = self._row_list(row)
        best = None
        for k, value in enumerate(values):
            if value == UNREACHABLE or value > arrive_by:
                break
            best = k
        return None if best is None else self.first_min + best * self.step_min

    def shortest(self, row: int) -> int:
        """Shortest travel time of the day on pair ``row`` (:data:`UNREACHABLE` if none)."""
        return int(self.shortest_all()[row])

    def shortest_all(self) -> np.ndarray:
        """:meth:`shortest` of every row."""
        samples = self.first_min + self.step_min * np.arange(self.samples)
        duration = np.where(self.arrive != UNREACHABLE, self.arrive - samples[None, :], np.inf)
        best = duration.min(axis=1) if len(duration) else np.zeros(0)
        return np.where(np.isfinite(best), best, UNREACHABLE).astype(np.int64)


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
    kind
        What sort of place it is for the diminishing returns of :class:`VarietyRule` (e.g.
        ``"worship"``); ``None``: never discounted.
    family
        Places (and hubs) of one family are alternatives of one experience: a group uses at
        most one member of a family in its whole trip (route 1 or route 2 of a bay, or a night
        on its cruise).
    lunch_inside
        The visit can hold the lunch break (a boat trip with lunch on board, a long visit with
        food on site): lunch may then be taken inside it.
    """

    id: str
    node: int
    prize: float
    visit_min: int = 0
    windows: tuple[TimeWindow, ...] | None = None
    cost: int = 0
    province: str | None = None
    quota_key: str | None = None
    kind: str | None = None
    family: str | None = None
    lunch_inside: bool = False

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
    """A place to sleep: a candidate for one night, with the lodging cost of that night (VND).

    Parameters
    ----------
    id, node, lodging_cost
        Name, matrix node and the night's cost for the whole group (VND).
    prize
        Value of the night itself (a cruise visits its bay), in prize units, counted once per
        group's trip: a second night aboard, or a second cruise on the same hub later in the
        trip, costs its lodging and adds no value.
    arrive_by_min, leave_from_min
        Trip minutes: the day before the night must reach the hub by ``arrive_by_min`` (a
        cruise's boarding), the next day cannot leave it before ``leave_from_min`` (its
        disembarking). ``None``: the day bounds only.
    lunch_on_departure
        The next day's lunch is served before leaving (brunch on board).
    family
        See :attr:`Place.family`: a night on a bay's cruise excludes that bay's day trips.
    """

    id: str
    node: int
    lodging_cost: int = 0
    prize: float = 0.0
    arrive_by_min: int | None = None
    leave_from_min: int | None = None
    lunch_on_departure: bool = False
    family: str | None = None

    def __post_init__(self) -> None:
        _check(bool(self.id), "Hub.id must be a non-empty string.")
        _check(self.node >= 0, f"Hub {self.id!r}: node must be >= 0.")
        _check(self.lodging_cost >= 0, f"Hub {self.id!r}: lodging_cost must be >= 0.")
        _check(
            self.prize >= 0 and math.isfinite(self.prize), f"Hub {self.id!r}: prize must be >= 0."
        )


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


@dataclass(frozen=True, slots=True)
class VarietyRule:
    """Diminishing returns for places of one ``kind`` (see :attr:`Place.kind`).

    In one group's day, the 2nd, 3rd, ... place of the kind cost ``day_penalties[0]``,
    ``day_penalties[1]``, ... prize units (the last entry repeats), and at most ``day_cap``
    such places fit a day. Over a group's whole trip, every place of the kind beyond
    ``trip_free`` costs ``trip_penalty`` more. The value of a day is therefore concave in the
    number of places of one kind, and the objective counts it exactly.
    """

    kind: str
    day_penalties: tuple[float, ...] = ()
    day_cap: int | None = None
    trip_free: int | None = None
    trip_penalty: float = 0.0

    def __post_init__(self) -> None:
        _check(bool(self.kind), "VarietyRule.kind must be a non-empty string.")
        object.__setattr__(self, "day_penalties", tuple(float(x) for x in self.day_penalties))
        _check(
            all(x >= 0 and math.isfinite(x) for x in self.day_penalties),
            f"VarietyRule {self.kind!r}: day_penalties must be >= 0.",
        )
        _check(
            self.day_cap is None or self.day_cap >= 0,
            f"VarietyRule {self.kind!r}: day_cap must be >= 0.",
        )
        _check(
            self.trip_free is None or self.trip_free >= 0,
            f"VarietyRule {self.kind!r}: trip_free must be >= 0.",
        )
        _check(
            self.trip_penalty >= 0 and math.isfinite(self.trip_penalty),
            f"VarietyRule {self.kind!r}: trip_penalty must be >= 0.",
        )

    def day_penalty(self, count: int) -> float:
        """Penalty of ``count`` places of the kind in one day (0 for 0 or 1)."""
        if count <= 1 or not self.day_penalties:
            return 0.0
        pens = self.day_penalties
        total = 0.0
        for k in range(count - 1):
            total += pens[min(k, len(pens) - 1)]
        return total

    def trip_extra(self, count: int) -> float:
        """Penalty of ``count`` places of the kind over one group's trip."""
        if self.trip_free is None or count <= self.trip_free:
            return 0.0
        return self.trip_penalty * (count - self.trip_free)


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Travel minutes, kilometres and money between nodes.

    Parameters
    ----------
    minutes
        Square matrix of integer minutes; ``None`` (nested lists) or :data:`UNREACHABLE`
        (numpy) marks an unreachable pair. Stored as a read-only ``int64`` numpy array with
        ``UNREACHABLE`` for unreachable pairs. For the pairs of ``timetable`` it is replaced by
        the shortest travel time of the day (or ``UNREACHABLE`` when no connection runs), a
        lower bound the search uses; their real travel time comes from the timetable.
    km
        Optional matrix of the same shape in kilometres (``None`` entries allowed where the
        pair is unreachable). Missing means 0 km everywhere.
    cost
        Optional matrix of the same shape: the money of each leg for the whole group (VND),
        instead of ``km * Problem.cost_per_km``.
    timetable
        Departure-dependent travel of some pairs (see :class:`Timetable`).
    """

    minutes: np.ndarray
    km: np.ndarray | None = None
    cost: np.ndarray | None = None
    timetable: Timetable | None = None

    def __post_init__(self) -> None:
        minutes = _as_minutes(self.minutes)
        n = minutes.shape[0]
        if self.km is not None:
            km = _as_km(self.km)
            _check(km.shape == (n, n), f"TravelMatrix.km must be {n}x{n} like minutes.")
            object.__setattr__(self, "km", km)
        if self.cost is not None:
            cost = np.nan_to_num(np.asarray(self.cost, dtype=np.float64), nan=0.0)
            _check(cost.shape == (n, n), f"TravelMatrix.cost must be {n}x{n} like minutes.")
            _check(bool(np.all(cost >= 0)), "TravelMatrix.cost must be >= 0.")
            cost.setflags(write=False)
            object.__setattr__(self, "cost", cost)
        tt = self.timetable
        if tt is not None:
            _check(
                bool(np.all(tt.pairs < n)),
                f"TravelMatrix.timetable names a node outside the {n}x{n} matrix.",
            )
            minutes = minutes.copy()
            if len(tt.pairs):
                minutes[tt.pairs[:, 0], tt.pairs[:, 1]] = tt.shortest_all()
            minutes.setflags(write=False)
        object.__setattr__(self, "minutes", minutes)

    @property
    def size(self) -> int:
        """Number of nodes."""
        return int(self.minutes.shape[0])

    def reachable(self, a: int, b: int) -> bool:
        """Whether the leg ``a -> b`` exists (at some time of the day)."""
        return bool(self.minutes[a, b] != UNREACHABLE)

    def arrival(self, a: int, b: int, depart_min: float) -> float:
        """Earliest arrival at ``b`` when leaving ``a`` at ``depart_min`` (``inf``: none)."""
        if self.timetable is not None:
            row = self.timetable.row(a, b)
            if row is not None:
                value = self.timetable.arrival(row, depart_min)
                return math.inf if value == UNREACHABLE else value
        m = int(self.minutes[a, b])
        return math.inf if m == UNREACHABLE else depart_min + m

    def leg_money(self, a: int, b: int, cost_per_km: float) -> float:
        """Money of the leg ``a -> b`` for the whole group, VND."""
        if self.cost is not None:
            return float(self.cost[a, b])
        if self.km is None or math.isnan(self.km[a, b]):
            return 0.0
        return float(self.km[a, b]) * cost_per_km


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
class Mode:
    """One way to travel for a whole group-day (a seat on public services, a hired vehicle).

    Parameters
    ----------
    id
        Name of the mode, reported on each :class:`~solver.solution.DayRoute`.
    travel
        One :class:`TravelMatrix` or one per day, like :attr:`Problem.travel`. A leg's money is
        the matrix's ``cost`` (VND for the whole group) when it has one, else its km times
        :attr:`Problem.cost_per_km`.
    day_minimum
        A day travelled this way costs at least this much (a hire's daily minimum), VND.
    day_penalty
        Prize units a day travelled this way gives up (a preference between modes beyond
        their money: e.g. public services first for a small group).
    """

    id: str
    travel: TravelMatrix | tuple[TravelMatrix, ...]
    day_minimum: int = 0
    day_penalty: float = 0.0

    def __post_init__(self) -> None:
        _check(bool(self.id), "Mode.id must be a non-empty string.")
        _check(self.day_minimum >= 0, f"Mode {self.id!r}: day_minimum must be >= 0.")
        _check(
            self.day_penalty >= 0 and math.isfinite(self.day_penalty),
            f"Mode {self.id!r}: day_penalty must be >= 0.",
        )
        if not isinstance(self.travel, TravelMatrix):
            object.__setattr__(self, "travel", tuple(self.travel))

    def matrix(self, day: int) -> TravelMatrix:
        """The travel matrix of ``day``."""
        if isinstance(self.travel, TravelMatrix):
            return self.travel
        return self.travel[day]


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
    modes
        Ways to travel; each group-day uses one of them (reported as ``DayRoute.mode``).
        Empty: the single mode ``"default"`` made of ``travel`` and ``cost_per_km``. When given,
        ``travel`` must be the first mode's travel (the reference the static checks use).
    variety
        Diminishing returns per place kind (see :class:`VarietyRule`).
    must_any
        Sets of ids (places, or hubs of ``nights``): each group (``shared_places``: some
        group) must use at least one member of each set, by visiting it or sleeping there.
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
    modes: tuple[Mode, ...] = ()
    variety: tuple[VarietyRule, ...] = ()
    must_any: tuple[frozenset[str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "modes", tuple(self.modes))
        object.__setattr__(self, "variety", tuple(self.variety))
        object.__setattr__(self, "must_any", tuple(frozenset(x) for x in self.must_any))
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
        if self.modes:
            mode_ids = [m.id for m in self.modes]
            _check(len(set(mode_ids)) == len(mode_ids), "Problem.modes ids must be unique.")
            _check(
                self.modes[0].travel is self.travel,
                "Problem.travel must be the first mode's travel when modes are given.",
            )
            for mode in self.modes:
                mats = (mode.travel,) if isinstance(mode.travel, TravelMatrix) else mode.travel
                if not isinstance(mode.travel, TravelMatrix):
                    _check(
                        len(mats) == len(self.days),
                        f"Mode {mode.id!r} has {len(mats)} matrices for {len(self.days)} days.",
                    )
                _check(
                    all(m.size == n for m in mats),
                    f"Mode {mode.id!r}: matrices must be {n}x{n} like Problem.travel.",
                )
                if self.cost_per_km > 0:
                    _check(
                        all(m.km is not None or m.cost is not None for m in mats),
                        f"Mode {mode.id!r}: cost_per_km needs km (or cost) in every matrix.",
                    )
        kinds = [r.kind for r in self.variety]
        _check(len(set(kinds)) == len(kinds), "Problem.variety repeats a kind.")
        hub_ids = {h.id for cands in self.nights for h in cands}
        for i, group in enumerate(self.must_any):
            _check(bool(group), f"Problem.must_any[{i}] is empty.")
            unknown = sorted(group - known - hub_ids)
            _check(not unknown, f"Problem.must_any[{i}] names unknown places or hubs: {unknown}.")

    # -- helpers used by the solver and the validator ---------------------------------------

    def matrix(self, day: int) -> TravelMatrix:
        """The travel matrix used on ``day`` (the first mode's)."""
        if isinstance(self.travel, TravelMatrix):
            return self.travel
        return self.travel[day]

    @property
    def travel_modes(self) -> tuple[Mode, ...]:
        """The modes a group-day chooses from (``modes``, or the implicit default)."""
        if self.modes:
            return self.modes
        return (Mode("default", self.travel),)

    @property
    def application(self) -> bool:
        """Whether the problem uses any part of the application model (lunch breaks,
        timetables, modes, variety, families, ``must_any``, cruise hubs, meals in visits),
        which the search of :mod:`solver.lns` handles and the textbook path does not."""
        if self.modes or self.variety or self.must_any:
            return True
        if any(d.lunch is not None for d in self.days):
            return True
        if any(pl.family is not None or pl.lunch_inside for pl in self.places):
            return True
        for cands in self.nights:
            for h in cands:
                if h.prize or h.family or h.arrive_by_min is not None:
                    return True
                if h.leave_from_min is not None or h.lunch_on_departure:
                    return True
        mats = (self.travel,) if isinstance(self.travel, TravelMatrix) else self.travel
        return any(m.timetable is not None or m.cost is not None for m in mats)

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
