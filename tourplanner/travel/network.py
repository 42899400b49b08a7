"""The embedded multimodal network: nodes, links, timetables, areas and scenarios.

The network lives in ``tourplanner/data/network.json``, a human-edited file in which every link
names its source. This module reads it into frozen dataclasses and validates it completely:
every problem is reported at once as a :class:`~tourplanner.errors.FieldError` whose field
names the item, e.g. ``links[got-cai-vieng-ferry].timetable[0].departures[3]``.

Times of day are minutes after midnight. Money is integer VND. A link runs from ``from`` to
``to``; "forward" is that direction and "backward" the other one (when it is bidirectional).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tourplanner.errors import FieldError
from tourplanner.errors import ValidationError
from tourplanner.festivals import solar_to_lunar

log = logging.getLogger(__name__)

NETWORK_FILE = Path(__file__).resolve().parent.parent / "data" / "network.json"

NODE_KINDS = (
    "city",
    "town",
    "junction",
    "pier",
    "ferry_terminal",
    "cable_car_station",
    "airport",
    "bay",
)
MODES = ("expressway", "road", "bridge", "ferry", "boat", "cable_car", "walk", "coach", "taxi")
#: modes a car drives; OSRM may replace the network's times on paths made only of these
ROAD_MODES = frozenset({"expressway", "road", "bridge", "walk"})
#: modes that need a timetable (a departure to wait for) or operating hours
SCHEDULED_MODES = frozenset({"ferry", "boat", "cable_car", "coach"})
#: modes travellers pay a fare for (per person), which every such link must state or flag
FARE_MODES = frozenset({"ferry", "boat", "cable_car", "coach"})
#: modes only public-transport travellers use (a hired vehicle does not ride a coach line)
PUBLIC_ONLY_MODES = frozenset({"coach"})
#: the kinds of scheduled road services (mode "coach"): what the itinerary names them
COACH_SERVICE_KINDS = ("limousine", "coach", "bus", "combo", "motorbike_taxi")
STATUSES = ("open", "closed", "planned")
DIRECTIONS = ("forward", "backward", "both")
AREA_KINDS = ("land", "island", "water", "mountain")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the expected wait assumed for a service with a single departure that day: a tour plans its
#: arrival for that sailing, so the wait is a boarding margin rather than half a gap
SINGLE_DEPARTURE_WAIT_MIN = 30.0

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def parse_time(text: object) -> int:
    """Return minutes after midnight for ``"HH:MM"`` (``"24:00"`` is 1440).

    :raise ValueError: when *text* is not such a time.
    """
    if not isinstance(text, str) or not _TIME.match(text):
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def format_time(minutes: float) -> str:
    """Return ``"HH:MM"`` for *minutes* after midnight (days beyond the first wrap)."""
    total = int(round(minutes)) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


@dataclass(frozen=True, slots=True)
class Season:
    """A part of the year, solar or lunar, given as inclusive ``MM-DD`` bounds."""

    start: str
    end: str
    calendar: str = "solar"

    def contains(self, date: dt.date) -> bool:
        """Tell whether *date* lies in this season (seasons may wrap over New Year)."""
        if self.calendar == "lunar":
            lunar = solar_to_lunar(date)
            key = f"{lunar.month:02d}-{lunar.day:02d}"
        else:
            key = date.strftime("%m-%d")
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


@dataclass(frozen=True, slots=True)
class Service:
    """One timetable entry of a link: departures in one or both directions.

    Either ``departures`` lists the times, or ``first``/``last``/``headway_min`` describe a
    regular service; ``headway_min`` 0 means continuous boarding (a cable car with many
    cabins) between ``first`` and ``last``.
    """

    direction: str
    departures: tuple[int, ...] = ()
    first: int | None = None
    last: int | None = None
    headway_min: int | None = None
    season: Season | None = None
    season_name: str | None = None
    days: tuple[str, ...] = WEEKDAYS

    def applies(self, direction: str) -> bool:
        """Tell whether this service runs in *direction* ("forward" or "backward")."""
        return self.direction in (direction, "both")

    def departure_times(self) -> tuple[int, ...]:
        """Return the departures as minutes; empty for continuous boarding."""
        if self.departures:
            return self.departures
        if self.headway_min:
            assert self.first is not None and self.last is not None
            return tuple(range(self.first, self.last + 1, self.headway_min))
        return ()

    @property
    def continuous(self) -> bool:
        """Tell whether one boards at any time between ``first`` and ``last``."""
        return not self.departures and not self.headway_min


@dataclass(frozen=True, slots=True)
class DayService:
    """What a link offers in one direction on one date.

    ``departures`` are the boarding times; a continuous service has none and boards at any
    time in ``window``.
    """

    departures: tuple[int, ...]
    window: tuple[int, int]
    continuous: bool

    def next_departure(self, t: float) -> float | None:
        """Return the first boarding time at or after minute *t* of the day, or None."""
        if self.continuous:
            start, end = self.window
            if t > end:
                return None
            return max(t, float(start))
        for d in self.departures:
            if d >= t - 1e-9:
                return float(d)
        return None

    def expected_wait(self) -> float:
        """Return the mean wait of a traveller arriving at a random time within service.

        Half the mean gap between departures; 0 for continuous boarding and
        :data:`SINGLE_DEPARTURE_WAIT_MIN` for a single sailing.
        """
        if self.continuous:
            return 0.0
        if len(self.departures) < 2:
            return SINGLE_DEPARTURE_WAIT_MIN
        span = self.departures[-1] - self.departures[0]
        return span / (len(self.departures) - 1) / 2.0

    def describe(self) -> str:
        """Return a short human description, e.g. ``"04:00–23:00"`` or ``"07:30, 09:00"``."""
        if self.continuous or len(self.departures) > 6:
            return f"{format_time(self.window[0])}–{format_time(self.window[1])}"
        return ", ".join(format_time(d) for d in self.departures)


@dataclass(frozen=True, slots=True)
class Node:
    """A point of the network: a city, junction, pier, station, airport or a bay's water."""

    id: str
    name_vi: str
    name_en: str
    lat: float
    lon: float
    kind: str
    area: str = "mainland"
    place_ids: tuple[str, ...] = ()
    source: str = ""
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """A way between two nodes with its mode, length, time, price, timetable and status."""

    id: str
    source_node: str
    target_node: str
    mode: str
    km: float
    minutes: float
    minutes_back: float
    name_vi: str = ""
    name_en: str = ""
    toll_vnd: int = 0
    fare_vnd: int = 0
    bidirectional: bool = True
    services: tuple[Service, ...] = ()
    #: per-child fare (None: not stated), the year of the fare, and whether it is unknown
    fare_child_vnd: int | None = None
    fare_year: int | None = None
    fare_unknown: bool = False
    #: for coach lines: limousine | coach | bus | combo, and example operators
    service_kind: str = ""
    operators: tuple[str, ...] = ()
    status: str = "open"
    opened: dt.date | None = None
    expected: dt.date | None = None
    closed_since: dt.date | None = None
    source: str = ""
    uncertain: bool = False
    note: str = ""

    @property
    def scheduled(self) -> bool:
        """Tell whether travellers wait for departures (a timetable or operating hours)."""
        return bool(self.services)

    @property
    def named(self) -> bool:
        """Tell whether the link is worth naming in a leg's ``via``."""
        return bool(self.name_vi) and self.mode != "road" and self.mode != "walk"

    def ride_minutes(self, direction: str) -> float:
        """Return the riding time in *direction* (waits excluded)."""
        return self.minutes if direction == "forward" else self.minutes_back

    def available_by_status(self, date: dt.date) -> bool:
        """Tell whether the link exists and is open on *date*, scenarios aside."""
        if self.status == "planned":
            return False
        if self.status == "closed":
            return self.closed_since is not None and date < self.closed_since
        return self.opened is None or date >= self.opened

    def season_names(self) -> set[str]:
        """Return the names of this link's seasonal services."""
        return {s.season_name for s in self.services if s.season_name}

    def day_service(
        self, date: dt.date, direction: str, forced_season: str | None = None
    ) -> DayService | None:
        """Return the service in *direction* on *date*, or None when nothing departs.

        Services of a season containing *date* replace the all-year services (as opening
        hours do in the catalogue). A scenario may force a named season instead.
        """
        weekday = WEEKDAYS[date.weekday()]
        candidates = [s for s in self.services if s.applies(direction) and weekday in s.days]
        if forced_season is not None:
            chosen = [s for s in candidates if s.season_name == forced_season]
        else:
            chosen = [s for s in candidates if s.season and s.season.contains(date)]
            if not chosen:
                chosen = [s for s in candidates if s.season is None]
        if not chosen:
            return None
        if all(s.continuous for s in chosen):
            first = min(s.first for s in chosen if s.first is not None)
            last = max(s.last for s in chosen if s.last is not None)
            return DayService((), (first, last), True)
        times = sorted({t for s in chosen for t in s.departure_times()})
        return DayService(tuple(times), (times[0], times[-1]), False)


@dataclass(frozen=True, slots=True)
class Area:
    """A polygon (lat, lon vertices) whose places attach only to nodes of the same area."""

    id: str
    kind: str
    name_vi: str
    name_en: str
    polygon: tuple[tuple[float, float], ...]
    access_mode: str = "road"
    access_kmh: float = 30.0

    def contains(self, lat: float, lon: float) -> bool:
        """Tell whether (lat, lon) lies inside the polygon (ray casting)."""
        inside = False
        pts = self.polygon
        j = len(pts) - 1
        for i in range(len(pts)):
            yi, xi = pts[i]
            yj, xj = pts[j]
            if (yi > lat) != (yj > lat):
                x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
                if lon < x_cross:
                    inside = not inside
            j = i
        return inside


@dataclass(frozen=True, slots=True)
class Attachment:
    """An explicit attachment of a catalogue place: given nodes, or a given area."""

    place_id: str
    nodes: tuple[str, ...] = ()
    area: str | None = None
    minutes: float | None = None
    mode: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named change to the network: links opened or closed, seasons forced."""

    name: str
    description: str
    open: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    seasons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AccessRules:
    """How places reach the network: detour factor, speeds, number of nodes."""

    detour_factor: float = 1.3
    walk_max_km: float = 0.8
    walk_kmh: float = 4.5
    road_kmh_short: float = 25.0
    road_kmh_long: float = 45.0
    long_km: float = 10.0
    attach_nodes: int = 3
    nearby_km: float = 6.0


@dataclass(frozen=True, slots=True)
class TaxiTariff:
    """What a taxi (or ride-hailing car for up to 4 passengers) costs per ride, VND.

    ``open_vnd`` covers the first ``open_km``; then ``per_km_vnd`` up to ``long_from_km`` and
    ``per_km_long_vnd`` beyond. ``max_km`` is the longest ride the planner books (longer
    trips take a scheduled service or a hired vehicle).
    """

    open_vnd: int
    open_km: float
    per_km_vnd: int
    per_km_long_vnd: int
    long_from_km: float
    max_km: float
    seats: int = 4
    year: int | None = None
    source: str = ""

    def fare(self, km: float) -> int:
        """The fare of one ride of ``km`` kilometres, rounded up to 1,000 VND."""
        rest = max(0.0, km - self.open_km)
        short = min(rest, max(0.0, self.long_from_km - self.open_km))
        long = rest - short
        total = self.open_vnd + short * self.per_km_vnd + long * self.per_km_long_vnd
        return int(math.ceil(total / 1000.0) * 1000)


@dataclass(frozen=True, slots=True, eq=False)
class Network:
    """The whole embedded network, validated; ``version`` changes with the file's content.

    Networks compare and hash by identity, so caches keyed by a network never mix two.
    """

    version: str
    nodes: dict[str, Node]
    links: dict[str, Link]
    areas: tuple[Area, ...]
    attachments: dict[str, Attachment]
    scenarios: dict[str, Scenario]
    sources: dict[str, str] = field(default_factory=dict)
    access: AccessRules = AccessRules()
    taxi: TaxiTariff | None = None
    #: a derived public-transport network's shadow nodes (see travel.modes): shadow -> node
    shadows: dict[str, str] = field(default_factory=dict)

    def area(self, area_id: str) -> Area | None:
        """Return the area called *area_id* (None for the mainland)."""
        return next((a for a in self.areas if a.id == area_id), None)

    def area_of(self, lat: float, lon: float) -> str:
        """Return the id of the first area containing (lat, lon), else ``"mainland"``."""
        for area in self.areas:
            if area.contains(lat, lon):
                return area.id
        return "mainland"

    def scenario(self, name: str | None) -> Scenario | None:
        """Return the scenario called *name* (None for the baseline).

        :raise ValidationError: naming the field ``scenario`` when there is no such scenario.
        """
        if name is None or name == "" or name == "baseline":
            return None
        try:
            return self.scenarios[name]
        except KeyError:
            known = ", ".join(sorted(self.scenarios))
            raise ValidationError(
                [FieldError("scenario", f"unknown scenario {name!r}; known: {known}")]
            ) from None

    def link_state(
        self, link: Link, date: dt.date, scenario: Scenario | None
    ) -> tuple[bool, str | None]:
        """Return (available, forced season) for *link* on *date* under *scenario*."""
        forced = None
        if scenario is not None:
            if link.id in scenario.close:
                return False, None
            forced = dict(scenario.seasons).get(link.id)
            if link.id in scenario.open:
                return True, forced
        return link.available_by_status(date), forced


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Collects field errors while reading the raw JSON."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, where: str, reason: str) -> None:
        self.errors.append(FieldError(where, reason))

    def text(self, raw: dict, key: str, where: str, *, required: bool = True) -> str:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{where}.{key}", "is required")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"must be text, not {value!r}")
            return ""
        return value

    def number(
        self,
        raw: dict,
        key: str,
        where: str,
        *,
        required: bool = True,
        low: float | None = None,
        high: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.fail(f"{where}.{key}", f"must be a number, not {value!r}")
            return None
        if positive and value <= 0:
            self.fail(f"{where}.{key}", f"must be positive, not {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(f"{where}.{key}", f"must lie between {low} and {high}, not {value!r}")
            return None
        return float(value)

    def date(self, raw: dict, key: str, where: str) -> dt.date | None:
        value = raw.get(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{where}.{key}", f"{value!r} is not a date YYYY-MM-DD")
            return None

    def time(self, value: object, where: str) -> int | None:
        try:
            return parse_time(value)
        except ValueError as exc:
            self.fail(where, str(exc))
            return None


def _read_season(reader: _Reader, raw: object, where: str) -> Season | None:
    if not isinstance(raw, dict):
        reader.fail(where, "must be an object with from, to and optionally calendar")
        return None
    bounds = []
    for key in ("from", "to"):
        value = raw.get(key)
        if not isinstance(value, str) or not _MONTH_DAY.match(value):
            reader.fail(f"{where}.{key}", f"{value!r} is not a day MM-DD")
        bounds.append(value)
    calendar = raw.get("calendar", "solar")
    if calendar not in ("solar", "lunar"):
        reader.fail(f"{where}.calendar", f"must be solar or lunar, not {calendar!r}")
    if len(reader.errors) and any(e.field.startswith(where) for e in reader.errors):
        return None
    return Season(bounds[0], bounds[1], calendar)


def _read_service(reader: _Reader, raw: object, where: str, bidirectional: bool) -> Service | None:
    if not isinstance(raw, dict):
        reader.fail(where, "must be an object")
        return None
    before = len(reader.errors)
    direction = raw.get("direction", "both")
    if direction not in DIRECTIONS:
        reader.fail(f"{where}.direction", f"must be one of {', '.join(DIRECTIONS)}")
    elif direction == "backward" and not bidirectional:
        reader.fail(f"{where}.direction", "backward on a one-way link")
    departures: list[int] = []
    first = last = headway = None
    if "departures" in raw:
        values = raw["departures"]
        if not isinstance(values, list) or not values:
            reader.fail(f"{where}.departures", "must be a non-empty list of HH:MM times")
        else:
            for i, value in enumerate(values):
                minute = reader.time(value, f"{where}.departures[{i}]")
                if minute is not None:
                    departures.append(minute)
            if departures != sorted(departures) and len(departures) == len(values):
                reader.fail(f"{where}.departures", "must be in increasing order")
    else:
        if "first" not in raw or "last" not in raw:
            reader.fail(where, "needs departures, or first and last (and headway_min)")
        else:
            first = reader.time(raw["first"], f"{where}.first")
            last = reader.time(raw["last"], f"{where}.last")
            if first is not None and last is not None and last < first:
                reader.fail(f"{where}.last", "is before first")
        headway_raw = reader.number(raw, "headway_min", where, required=False, low=0, high=1440)
        headway = int(headway_raw) if headway_raw is not None else 0
    days = raw.get("days", list(WEEKDAYS))
    if not isinstance(days, list) or any(d not in WEEKDAYS for d in days) or not days:
        reader.fail(f"{where}.days", f"must list days among {', '.join(WEEKDAYS)}")
        days = list(WEEKDAYS)
    season = None
    if "season" in raw:
        season = _read_season(reader, raw["season"], f"{where}.season")
    season_name = raw.get("name")
    if season_name is not None and not isinstance(season_name, str):
        reader.fail(f"{where}.name", "must be text")
    if len(reader.errors) > before:
        return None
    return Service(
        direction=direction,
        departures=tuple(departures),
        first=first,
        last=last,
        headway_min=headway,
        season=season,
        season_name=season_name,
        days=tuple(days),
    )


def _read_link(reader: _Reader, raw: dict, where: str, nodes: set[str]) -> Link | None:
    before = len(reader.errors)
    link_id = raw["id"]
    ends = []
    for key in ("from", "to"):
        node_id = reader.text(raw, key, where)
        if node_id and node_id not in nodes:
            reader.fail(f"{where}.{key}", f"unknown node {node_id!r}")
        ends.append(node_id)
    mode = reader.text(raw, "mode", where)
    if mode and mode not in MODES:
        reader.fail(f"{where}.mode", f"must be one of {', '.join(MODES)}, not {mode!r}")
    km = reader.number(raw, "km", where, low=0, high=2000)
    minutes = reader.number(raw, "minutes", where, required=False, positive=True)
    speed = reader.number(raw, "speed_kmh", where, required=False, positive=True, high=300)
    if minutes is None and speed is None and "minutes" not in raw and "speed_kmh" not in raw:
        reader.fail(where, "needs minutes or speed_kmh")
    if minutes is None and speed is not None and km is not None:
        minutes = km / speed * 60.0
    minutes_back = reader.number(raw, "minutes_back", where, required=False, positive=True)
    toll = reader.number(raw, "toll_vnd", where, required=False, low=0, high=10_000_000)
    fare = reader.number(raw, "fare_vnd", where, required=False, low=0, high=10_000_000)
    fare_child = reader.number(raw, "fare_child_vnd", where, required=False, low=0, high=10_000_000)
    fare_year = reader.number(raw, "fare_year", where, required=False, low=1990, high=2100)
    fare_unknown = raw.get("fare_unknown", False)
    if not isinstance(fare_unknown, bool):
        reader.fail(f"{where}.fare_unknown", "must be true or false")
        fare_unknown = False
    if mode in FARE_MODES:
        if fare is None and not fare_unknown:
            reader.fail(
                f"{where}.fare_vnd",
                f"a {mode} link needs its fare per person, or fare_unknown: true",
            )
        if fare is not None and fare_unknown:
            reader.fail(f"{where}.fare_unknown", "a link with a fare cannot be fare_unknown")
    service_kind = raw.get("service_kind", "")
    if mode == "coach" and service_kind not in COACH_SERVICE_KINDS:
        reader.fail(f"{where}.service_kind", f"must be one of {', '.join(COACH_SERVICE_KINDS)}")
    operators = raw.get("operators", [])
    if not isinstance(operators, list) or not all(isinstance(o, str) for o in operators):
        reader.fail(f"{where}.operators", "must be a list of names")
        operators = []
    bidirectional = raw.get("bidirectional", True)
    if not isinstance(bidirectional, bool):
        reader.fail(f"{where}.bidirectional", "must be true or false")
        bidirectional = True
    services: list[Service] = []
    timetable = raw.get("timetable")
    hours = raw.get("hours")
    if timetable is not None:
        if not isinstance(timetable, list) or not timetable:
            reader.fail(f"{where}.timetable", "must be a non-empty list of services")
        else:
            for i, entry in enumerate(timetable):
                service = _read_service(reader, entry, f"{where}.timetable[{i}]", bidirectional)
                if service:
                    services.append(service)
    if hours is not None:
        if timetable is not None:
            reader.fail(f"{where}.hours", "give either hours or a timetable, not both")
        elif not isinstance(hours, list) or len(hours) != 2:
            reader.fail(f"{where}.hours", "must be [first, last] as HH:MM")
        else:
            first = reader.time(hours[0], f"{where}.hours[0]")
            last = reader.time(hours[1], f"{where}.hours[1]")
            if first is not None and last is not None:
                services.append(Service("both", first=first, last=last, headway_min=0))
    if mode in SCHEDULED_MODES and timetable is None and hours is None:
        reader.fail(f"{where}.timetable", f"a {mode} link needs a timetable or hours")
    status = raw.get("status", "open")
    if status not in STATUSES:
        reader.fail(f"{where}.status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    opened = reader.date(raw, "opened", where)
    expected = reader.date(raw, "expected", where)
    closed_since = reader.date(raw, "closed_since", where)
    if status == "planned" and "expected" not in raw:
        reader.fail(f"{where}.expected", "a planned link needs its expected opening date")
    source = reader.text(raw, "source", where)
    uncertain = raw.get("uncertain", False)
    if not isinstance(uncertain, bool):
        reader.fail(f"{where}.uncertain", "must be true or false")
    if source == "K" and uncertain is not True:
        reader.fail(f"{where}.uncertain", "a figure sourced only as K must be marked uncertain")
    name_vi = reader.text(raw, "name_vi", where, required=mode not in ("road", "walk"))
    name_en = reader.text(raw, "name_en", where, required=mode not in ("road", "walk"))
    if len(reader.errors) > before or minutes is None or km is None:
        return None
    return Link(
        id=link_id,
        source_node=ends[0],
        target_node=ends[1],
        mode=mode,
        km=km,
        minutes=minutes,
        minutes_back=minutes_back if minutes_back is not None else minutes,
        name_vi=name_vi,
        name_en=name_en,
        toll_vnd=int(toll or 0),
        fare_vnd=int(fare or 0),
        bidirectional=bidirectional,
        services=tuple(services),
        fare_child_vnd=None if fare_child is None else int(fare_child),
        fare_year=None if fare_year is None else int(fare_year),
        fare_unknown=bool(fare_unknown),
        service_kind=str(service_kind or ""),
        operators=tuple(operators),
        status=status,
        opened=opened,
        expected=expected,
        closed_since=closed_since,
        source=source,
        uncertain=bool(uncertain),
        note=str(raw.get("note", "")),
    )


def _items(reader: _Reader, data: dict, key: str) -> list[tuple[str, dict]]:
    """Return (where, raw) for each object with a unique id in the list ``data[key]``."""
    raw_list = data.get(key, [])
    if not isinstance(raw_list, list):
        reader.fail(key, "must be a list")
        return []
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(raw_list):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            reader.fail(f"{key}[{i}]", "must be an object with a text id")
            continue
        if raw["id"] in seen:
            reader.fail(f"{key}[{raw['id']}]", "duplicate id")
            continue
        seen.add(raw["id"])
        out.append((f"{key}[{raw['id']}]", raw))
    return out


def parse_network(data: object, *, version: str = "") -> Network:
    """Build a :class:`Network` from the decoded JSON *data*, validating everything.

    :raise ValidationError: listing every bad item, each field named like
        ``links[got-cai-vieng-ferry].timetable[0].departures[3]``.
    """
    reader = _Reader()
    if not isinstance(data, dict):
        raise ValidationError([FieldError("network", "must be a JSON object")])
    access_raw = data.get("access", {})
    access = AccessRules()
    if isinstance(access_raw, dict):
        values = {}
        for name in AccessRules.__dataclass_fields__:
            if name in access_raw:
                number = reader.number(access_raw, name, "access", positive=True)
                if number is not None:
                    values[name] = int(number) if name == "attach_nodes" else number
        access = AccessRules(**values)
    areas: list[Area] = []
    for where, raw in _items(reader, data, "areas"):
        kind = raw.get("kind", "island")
        if kind not in AREA_KINDS:
            reader.fail(f"{where}.kind", f"must be one of {', '.join(AREA_KINDS)}")
        polygon = raw.get("polygon")
        points: list[tuple[float, float]] = []
        if not isinstance(polygon, list) or len(polygon) < 3:
            reader.fail(f"{where}.polygon", "needs at least 3 [lat, lon] vertices")
        else:
            for i, vertex in enumerate(polygon):
                ok = isinstance(vertex, list) and len(vertex) == 2
                ok = ok and all(isinstance(v, int | float) for v in vertex)
                if not ok:
                    reader.fail(f"{where}.polygon[{i}]", "must be [lat, lon]")
                else:
                    points.append((float(vertex[0]), float(vertex[1])))
        access_mode = raw.get("access_mode", "boat" if kind == "water" else "road")
        if access_mode not in MODES:
            reader.fail(f"{where}.access_mode", f"must be one of {', '.join(MODES)}")
        kmh = reader.number(raw, "access_kmh", where, required=False, positive=True)
        areas.append(
            Area(
                id=raw["id"],
                kind=kind,
                name_vi=str(raw.get("name_vi", raw["id"])),
                name_en=str(raw.get("name_en", raw["id"])),
                polygon=tuple(points),
                access_mode=access_mode,
                access_kmh=kmh or (15.0 if kind == "water" else 30.0),
            )
        )
    area_ids = {a.id for a in areas} | {"mainland"}
    nodes: dict[str, Node] = {}
    node_items = _items(reader, data, "nodes")
    node_ids = {raw["id"] for _, raw in node_items}
    for where, raw in node_items:
        before = len(reader.errors)
        lat = reader.number(raw, "lat", where, low=-90, high=90)
        lon = reader.number(raw, "lon", where, low=-180, high=180)
        kind = reader.text(raw, "kind", where)
        if kind and kind not in NODE_KINDS:
            reader.fail(f"{where}.kind", f"must be one of {', '.join(NODE_KINDS)}, not {kind!r}")
        area = raw.get("area", "mainland")
        if area not in area_ids:
            reader.fail(f"{where}.area", f"unknown area {area!r}")
        place_ids = raw.get("place_ids", [])
        if not isinstance(place_ids, list) or not all(isinstance(p, str) for p in place_ids):
            reader.fail(f"{where}.place_ids", "must be a list of place ids")
            place_ids = []
        name_vi = reader.text(raw, "name_vi", where)
        name_en = reader.text(raw, "name_en", where)
        source = reader.text(raw, "source", where)
        if len(reader.errors) > before or lat is None or lon is None:
            continue
        nodes[raw["id"]] = Node(
            id=raw["id"],
            name_vi=name_vi,
            name_en=name_en,
            lat=lat,
            lon=lon,
            kind=kind,
            area=area,
            place_ids=tuple(place_ids),
            source=source,
            uncertain=bool(raw.get("uncertain", False)),
        )
    links: dict[str, Link] = {}
    link_items = _items(reader, data, "links")
    link_ids = {raw["id"] for _, raw in link_items}
    for where, raw in link_items:
        link = _read_link(reader, raw, where, node_ids)
        if link is not None:
            links[link.id] = link
    attachments: dict[str, Attachment] = {}
    raw_attachments = data.get("attachments", {})
    if not isinstance(raw_attachments, dict):
        reader.fail("attachments", "must be an object keyed by place id")
        raw_attachments = {}
    for place_id, raw in raw_attachments.items():
        where = f"attachments[{place_id}]"
        if not isinstance(raw, dict):
            reader.fail(where, "must be an object")
            continue
        attached = raw.get("nodes", [])
        if not isinstance(attached, list):
            reader.fail(f"{where}.nodes", "must be a list of node ids")
            attached = []
        for i, node_id in enumerate(attached):
            if node_id not in node_ids:
                reader.fail(f"{where}.nodes[{i}]", f"unknown node {node_id!r}")
        area = raw.get("area")
        if area is not None and area not in area_ids:
            reader.fail(f"{where}.area", f"unknown area {area!r}")
        if not attached and area is None:
            reader.fail(where, "needs nodes or an area")
        minutes = reader.number(raw, "minutes", where, required=False, low=0, high=600)
        mode = raw.get("mode")
        if mode is not None and mode not in MODES:
            reader.fail(f"{where}.mode", f"must be one of {', '.join(MODES)}")
        attachments[place_id] = Attachment(
            place_id=place_id,
            nodes=tuple(n for n in attached if isinstance(n, str)),
            area=area,
            minutes=minutes,
            mode=mode,
            note=str(raw.get("note", "")),
        )
    scenarios: dict[str, Scenario] = {}
    raw_scenarios = data.get("scenarios", {})
    if not isinstance(raw_scenarios, dict):
        reader.fail("scenarios", "must be an object keyed by scenario name")
        raw_scenarios = {}
    for name, raw in raw_scenarios.items():
        scenario = _read_scenario(reader, name, raw, links, link_ids)
        if scenario is not None:
            scenarios[name] = scenario
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        reader.fail("sources", "must be an object keyed by source id")
        sources = {}
    taxi = _read_taxi(reader, data.get("taxi"))
    if reader.errors:
        raise ValidationError(
            reader.errors,
            f"network: {len(reader.errors)} problem(s): "
            + "; ".join(str(e) for e in reader.errors[:20]),
        )
    return Network(
        version=version or str(data.get("version", "")),
        nodes=nodes,
        links=links,
        areas=tuple(areas),
        attachments=attachments,
        scenarios=scenarios,
        sources={str(k): str(v) for k, v in sources.items()},
        access=access,
        taxi=taxi,
    )


def _read_taxi(reader: _Reader, raw: object) -> TaxiTariff | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.fail("taxi", "must be an object with the taxi tariff")
        return None
    values = {}
    for key, high in (
        ("open_vnd", 1e6),
        ("open_km", 10),
        ("per_km_vnd", 1e5),
        ("per_km_long_vnd", 1e5),
        ("long_from_km", 500),
        ("max_km", 500),
        ("seats", 16),
    ):
        values[key] = reader.number(raw, key, "taxi", low=0, high=high)
    source = reader.text(raw, "source", "taxi")
    year = reader.number(raw, "year", "taxi", required=False, low=1990, high=2100)
    if any(v is None for v in values.values()):
        return None
    return TaxiTariff(
        open_vnd=int(values["open_vnd"]),
        open_km=float(values["open_km"]),
        per_km_vnd=int(values["per_km_vnd"]),
        per_km_long_vnd=int(values["per_km_long_vnd"]),
        long_from_km=float(values["long_from_km"]),
        max_km=float(values["max_km"]),
        seats=int(values["seats"]),
        year=None if year is None else int(year),
        source=source,
    )


def _read_scenario(
    reader: _Reader, name: str, raw: object, links: dict[str, Link], link_ids: set[str]
) -> Scenario | None:
    where = f"scenarios[{name}]"
    if not isinstance(raw, dict):
        reader.fail(where, "must be an object with open, close, seasons and description")
        return None
    before = len(reader.errors)
    lists: dict[str, list[str]] = {}
    for key in ("open", "close"):
        values = raw.get(key, [])
        if not isinstance(values, list):
            reader.fail(f"{where}.{key}", "must be a list of link ids")
            values = []
        for i, link_id in enumerate(values):
            if link_id not in link_ids:
                reader.fail(f"{where}.{key}[{i}]", f"unknown link {link_id!r}")
        lists[key] = values
    seasons = raw.get("seasons", {})
    if not isinstance(seasons, dict):
        reader.fail(f"{where}.seasons", "must map link ids to season names")
        seasons = {}
    for link_id, season in seasons.items():
        if link_id not in link_ids:
            reader.fail(f"{where}.seasons[{link_id}]", f"unknown link {link_id!r}")
        elif link_id in links and season not in links[link_id].season_names():
            known = ", ".join(sorted(links[link_id].season_names())) or "none"
            reader.fail(
                f"{where}.seasons[{link_id}]",
                f"link {link_id!r} has no season {season!r} (seasons: {known})",
            )
    if not raw.get("open") and not raw.get("close") and not seasons:
        reader.fail(where, "changes nothing: give open, close or seasons")
    if len(reader.errors) > before:
        return None
    return Scenario(
        name=name,
        description=str(raw.get("description", "")),
        open=tuple(lists["open"]),
        close=tuple(lists["close"]),
        seasons=tuple(sorted(seasons.items())),
    )


def load_network(path: Path | str | None = None) -> Network:
    """Read and validate the network file (the embedded one by default).

    The version is the file's ``version`` field plus a hash of its bytes, so any edit gives
    a new version and invalidates cached matrices.

    :raise ValidationError: when the file is unreadable, not JSON, or has bad items.
    """
    file = Path(path) if path is not None else NETWORK_FILE
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [FieldError("network", f"cannot read {file}: {exc.strerror or exc}")]
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError([FieldError("network", f"{file.name} is not JSON: {exc}")]) from exc
    digest = hashlib.sha1(raw).hexdigest()[:10]
    label = data.get("version", "") if isinstance(data, dict) else ""
    return parse_network(data, version=f"{label}+{digest}")


@lru_cache(maxsize=1)
def default_network() -> Network:
    """Return the embedded network, read once per process."""
    network = load_network()
    log.debug(
        "loaded network %s: %d nodes, %d links",
        network.version,
        len(network.nodes),
        len(network.links),
    )
    return network


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def link_dict(link: Link) -> dict[str, Any]:
    """Return a short description of *link* for messages and docs."""
    return {"id": link.id, "mode": link.mode, "name": link.name_vi or link.id, "km": link.km}
