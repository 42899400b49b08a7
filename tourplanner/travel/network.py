"""The embedded multimodal network: nodes, links, timetables, areas and scenarios.

The network lives in ``tourplanner/data/network.json``, a human-edited file in which every link
names its source. Each kind of object in it (node, link, timetable service,
season, area, attachment, scenario, taxi tariff, access rules) is declared once as a marshmallow
schema that checks it and builds its frozen dataclass; :func:`parse_network` loads the file
through :class:`NetworkSchema`, then checks what the items say about each other. Every problem
is reported at once as a :class:`~tourplanner.errors.FieldError` whose field names the item,
e.g. ``links[got-cai-vieng-ferry].timetable[0].departures[3]``.

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

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields
from marshmallow import missing
from marshmallow import post_load
from marshmallow import validate
from marshmallow import validates_schema

from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.festivals import solar_to_lunar
from tourplanner.i18n import N_
from tourplanner.validation import REQUIRED
from tourplanner.validation import Item
from tourplanner.validation import load

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
THREE_VERTICES = Reason.of(N_("reason.three_vertices"))
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def parse_time(text: object) -> int:
    """Return minutes after midnight for ``"HH:MM"`` (``"24:00"`` is 1440).

    :raise ValueError: when *text* is not such a time.
    """
    if not isinstance(text, str) or not _TIME.match(text):
        raise ValueError(Reason.of(N_("reason.not_a_time"), value=repr(text)))
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
                [
                    FieldError(
                        "scenario",
                        Reason.of(
                            N_("reason.unknown_scenario_named"), name=repr(name), known=known
                        ),
                    )
                ]
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


# -- the file's shapes: one marshmallow schema per kind of object -------------------------------
#
# Each schema checks its object's own fields and rules and builds its dataclass (post_load);
# what one object says about another (a link's nodes, a scenario's links and seasons, an
# attachment's nodes and area) is checked by parse_network once every item is loaded.


class _NotGiven:
    """A field for which ``null`` (and, with ``blank=True``, ``""``) means "not given"."""

    blank = False

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any):
        if value is None or (self.blank and isinstance(value, str) and value == ""):
            value = missing
        return super().deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


class _NullIsAValue:
    """A field for which ``null`` is one more wrong value, refused with the field's own
    reason (not marshmallow's "Field may not be null.")."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any):
        if value is None and not self.allow_none:  # type: ignore[attr-defined]
            output = self._deserialize(None, attr, data, **kwargs)  # type: ignore[attr-defined]
            self._validate(output)  # type: ignore[attr-defined]
            return output
        return super().deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


class _Text(_NotGiven, fields.String):
    """Text; null or ``""`` is not given."""

    blank = True
    default_error_messages = {
        "required": REQUIRED,
        "invalid": Reason.of(N_("reason.text_not_value")),
    }

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", "")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid", value=repr(value))
        return value


class _Bounds(validate.Range):
    """``must be positive, not 0``; ``must lie between 0 and 2000, not 2500``."""

    def __init__(self, low: float | None = None, high: float | None = None, *, positive=False):
        super().__init__(low, high)
        self.low, self.high, self.positive = low, high, positive

    def __call__(self, value: Any) -> Any:
        if self.positive and value <= 0:
            raise MarshmallowError(Reason.of(N_("reason.positive_not"), value=repr(value)))
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise MarshmallowError(
                Reason.of(
                    N_("reason.lie_between_not"), min=self.low, max=self.high, value=repr(value)
                )
            )
        return value


class _Number(_NotGiven, fields.Float):
    """A JSON number (not a bool, not NaN), compared exactly, then a float; null: not given."""

    default_error_messages = {
        "required": REQUIRED,
        "invalid": Reason.of(N_("reason.number_not_value")),
    }

    def __init__(self, low=None, high=None, *, positive=False, **kwargs: Any) -> None:
        if low is not None or high is not None or positive:
            kwargs["validate"] = _Bounds(low, high, positive=positive)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and math.isnan(value))
        ):
            raise self.make_error("invalid", value=repr(value))
        return value

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any):
        out = super().deserialize(value, attr, data, **kwargs)
        if not isinstance(out, int | float):
            return out
        try:
            return float(out)
        except OverflowError:  # an int beyond every float, with no bound to refuse it
            raise MarshmallowError(
                Reason.of(N_("reason.number_not_value"), value=repr(out))
            ) from None


class _Flag(fields.Boolean):
    """true or false, nothing else."""

    default_error_messages = dict.fromkeys(("invalid", "null"), Reason.of(N_("reason.true_false")))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _one_of(choices: tuple[str, ...], *, show: bool = False):
    """A validator: one of *choices*; with *show*, the reason quotes the bad value."""
    listed = ", ".join(choices)

    def check(value: Any) -> None:
        if not (isinstance(value, str) and value in choices):
            raise MarshmallowError(
                Reason.of(N_("reason.one_of_not"), choices=listed, value=repr(value))
                if show
                else Reason.of(N_("reason.one_of"), choices=listed)
            )

    return check


class _Choice(fields.Field):
    """One of *choices* (of any JSON type, the reason is the same); see :func:`_one_of`."""

    def __init__(self, choices: tuple[str, ...], *, show: bool = False, **kwargs: Any) -> None:
        listed = ", ".join(choices)
        null = (
            Reason.of(N_("reason.one_of_not"), choices=listed, value="None")
            if show
            else Reason.of(N_("reason.one_of"), choices=listed)
        )
        kwargs.setdefault("error_messages", {}).setdefault("null", null)
        super().__init__(validate=_one_of(choices, show=show), **kwargs)


class _Time(_NullIsAValue, fields.Field):
    """``HH:MM`` (``24:00`` closes a day), as minutes after midnight."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            return parse_time(value)
        except ValueError as exc:
            raise MarshmallowError(exc.args[0]) from None


class _Date(fields.Field):
    """``YYYY-MM-DD``; null is not given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise MarshmallowError(
                Reason.of(N_("reason.not_a_date_iso"), value=repr(value))
            ) from None


class _Strings(_NullIsAValue, fields.Field):
    """A list of texts; *reason* when it is anything else."""

    def __init__(self, reason: Reason, **kwargs: Any) -> None:
        self.reason = reason
        super().__init__(load_default=(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise MarshmallowError(self.reason)
        return tuple(value)


class _Objects(_NullIsAValue, fields.Field):
    """A list of objects loaded by *schema*, errors keyed by index; a failed item is None."""

    def __init__(self, schema: type[Schema], reason: str, item_reason: str, **kwargs: Any):
        self.schema, self.reason, self.item_reason = schema, reason, item_reason
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list) or not value:
            raise MarshmallowError(self.reason)
        out: list[Any] = []
        errors: dict[int, Any] = {}
        for i, raw in enumerate(value):
            if not isinstance(raw, dict):
                errors[i] = [self.item_reason]
                out.append(None)
                continue
            try:
                out.append(self.schema().load(raw))
            except MarshmallowError as exc:
                errors[i] = exc.messages
                out.append(None)
        if errors:
            raise MarshmallowError(errors, valid_data=out)
        return out


class _ById(_NullIsAValue, fields.Field):
    """A list of objects with unique text ids, loaded by *schema* into ``{id: item}``;
    errors are keyed ``[id]`` (``[i]`` for an item without an id); a failed item is None."""

    def __init__(self, schema: type[Schema], **kwargs: Any) -> None:
        self.schema = schema
        super().__init__(load_default=dict, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, list):
            raise MarshmallowError(Reason.of(N_("reason.list")))
        out: dict[str, Any] = {}
        errors: dict[Any, Any] = {}
        for i, raw in enumerate(value):
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
                errors[i] = [Reason.of(N_("reason.object_with_id"))]
                continue
            key = Item(raw["id"])
            if raw["id"] in out:
                if isinstance(errors.get(key), dict):  # the first of them is bad too
                    errors[key].setdefault("_schema", []).append(
                        Reason.of(N_("reason.duplicate_id_plain"))
                    )
                else:
                    errors[key] = [Reason.of(N_("reason.duplicate_id_plain"))]
                continue
            try:
                out[raw["id"]] = self.schema().load(raw)
            except MarshmallowError as exc:
                errors[key] = exc.messages
                out[raw["id"]] = None
        if errors:
            raise MarshmallowError(errors, valid_data=out)
        return out


class _ByKey(_NullIsAValue, fields.Field):
    """An object whose values are objects loaded by *schema*; errors keyed ``[key]``."""

    def __init__(self, schema: type[Schema], reason: str, item_reason: str, **kwargs: Any):
        self.schema, self.reason, self.item_reason = schema, reason, item_reason
        super().__init__(load_default=dict, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise MarshmallowError(self.reason)
        out: dict[str, Any] = {}
        errors: dict[Any, Any] = {}
        for key, raw in value.items():
            if not isinstance(raw, dict):
                errors[Item(key)] = [self.item_reason]
                continue
            try:
                out[key] = self.schema().load(raw)
            except MarshmallowError as exc:
                errors[Item(key)] = exc.messages
                out[key] = None
        if errors:
            raise MarshmallowError(errors, valid_data=out)
        return out


class _Departures(_NullIsAValue, fields.Field):
    """A non-empty list of increasing ``HH:MM`` times, as minutes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list) or not value:
            raise MarshmallowError(Reason.of(N_("reason.non_empty_times")))
        out, errors = [], {}
        for i, text in enumerate(value):
            try:
                out.append(parse_time(text))
            except ValueError as exc:
                errors[i] = [exc.args[0]]
        if errors:
            raise MarshmallowError(errors)
        if out != sorted(out):
            raise MarshmallowError(Reason.of(N_("reason.increasing_order")))
        return tuple(out)


class _Hours(_NullIsAValue, fields.Field):
    """``[first, last]`` as ``HH:MM``, as a pair of minutes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list) or len(value) != 2:
            raise MarshmallowError(Reason.of(N_("reason.window")))
        out, errors = [], {}
        for i, text in enumerate(value):
            try:
                out.append(parse_time(text))
            except ValueError as exc:
                errors[i] = [exc.args[0]]
        if errors:
            raise MarshmallowError(errors)
        return tuple(out)


class _Days(_NullIsAValue, fields.Field):
    """Weekdays among :data:`WEEKDAYS`, at least one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=WEEKDAYS, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list) or not value or any(d not in WEEKDAYS for d in value):
            raise MarshmallowError(Reason.of(N_("reason.days_among"), days=", ".join(WEEKDAYS)))
        return tuple(value)


class _Raw(fields.Field):
    """A value checked by its schema's rules (or taken as it is); null is a value too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)


class _Shape(Schema):
    """An object of the network file: unknown keys are ignored (notes, comments)."""

    class Meta:
        unknown = EXCLUDE


class SeasonSchema(_Shape):
    """When a seasonal service runs: ``from`` and ``to`` as MM-DD, solar or lunar."""

    start = _Raw(data_key="from", load_default=None)
    end = _Raw(data_key="to", load_default=None)
    calendar = _Raw(load_default="solar")

    @validates_schema
    def _check(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        for key, name in (("start", "from"), ("end", "to")):
            value = data[key]
            if not isinstance(value, str) or not _MONTH_DAY.match(value):
                errors[name] = [Reason.of(N_("reason.not_a_month_day"), value=repr(value))]
        if data["calendar"] not in ("solar", "lunar"):
            errors["calendar"] = [
                Reason.of(N_("reason.solar_or_lunar"), value=repr(data["calendar"]))
            ]
        if errors:
            raise MarshmallowError(errors)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Season:
        return Season(data["start"], data["end"], data["calendar"])


class _Object(fields.Nested):
    """A nested object; anything else is *reason*."""

    def __init__(self, schema: type[Schema], reason: Reason, **kwargs: Any) -> None:
        self.reason = reason
        kwargs.setdefault("error_messages", {}).setdefault("null", reason)
        super().__init__(schema, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not isinstance(value, dict):
            raise MarshmallowError(self.reason)
        return super()._deserialize(value, attr, data, **kwargs)


class ServiceSchema(_Shape):
    """One service of a timetable: its departures (or first, last and headway), weekdays,
    season and direction."""

    direction = _Choice(DIRECTIONS, load_default="both")
    departures = _Departures()
    first = _Time()
    last = _Time()
    headway_min = _Number(0, 1440, load_default=None)
    days = _Days()
    season = _Object(SeasonSchema, Reason.of(N_("reason.season_object")))
    name = _Raw(load_default=None)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if original.get("name") is not None and not isinstance(original["name"], str):
            errors["name"] = [Reason.of(N_("reason.text"))]
        if "departures" not in original:
            if "first" not in original or "last" not in original:
                errors["_schema"] = [Reason.of(N_("reason.needs_departures"))]
            elif "first" in data and "last" in data and data["last"] < data["first"]:
                errors["last"] = [Reason.of(N_("reason.before_first"))]
        if errors:
            raise MarshmallowError(errors)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Service:
        scheduled = "departures" in data
        headway = data["headway_min"]
        return Service(
            direction=data["direction"],
            departures=data.get("departures", ()),
            first=None if scheduled else data["first"],
            last=None if scheduled else data["last"],
            headway_min=None if scheduled else int(headway) if headway is not None else 0,
            season=data.get("season"),
            season_name=data["name"],
            days=data["days"],
        )


_FARE = {"low": 0, "high": 10_000_000, "load_default": None}


class LinkSchema(_Shape):
    """A link between two nodes: its mode, length, time, prices, timetable and status."""

    id = _Text(required=True)
    source_node = _Text(data_key="from", required=True)
    target_node = _Text(data_key="to", required=True)
    mode = _Text(required=True, validate=_one_of(MODES, show=True))
    km = _Number(0, 2000, required=True)
    minutes = _Number(positive=True, load_default=None)
    speed_kmh = _Number(high=300, positive=True, load_default=None)
    minutes_back = _Number(positive=True, load_default=None)
    toll_vnd = _Number(**_FARE)
    fare_vnd = _Number(**_FARE)
    fare_child_vnd = _Number(**_FARE)
    fare_year = _Number(1990, 2100, load_default=None)
    fare_unknown = _Flag(load_default=False)
    service_kind = _Raw(load_default="")
    operators = _Strings(Reason.of(N_("reason.name_list")))
    bidirectional = _Flag(load_default=True)
    timetable = _Objects(
        ServiceSchema,
        Reason.of(N_("reason.non_empty_services")),
        Reason.of(N_("reason.object")),
        load_default=None,
    )
    hours = _Hours(load_default=None)
    status = _Choice(STATUSES, show=True, load_default="open")
    opened = _Date()
    expected = _Date()
    closed_since = _Date()
    source = _Text(required=True)
    uncertain = _Flag(load_default=False)
    name_vi = _Text()
    name_en = _Text()
    note = _Raw(load_default="")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        mode = data.get("mode", "")
        # a bad minutes or speed_kmh has its own error; neither given (or null) is this one
        if data.get("minutes", 0) is None and data.get("speed_kmh", 0) is None:
            errors["_schema"] = [Reason.of(N_("reason.needs_minutes"))]
        # a key missing from data had its own error; None is "not given"
        fare, fare_unknown = data.get("fare_vnd", 0), data.get("fare_unknown", False)
        if mode in FARE_MODES and fare is None and not fare_unknown:
            errors["fare_vnd"] = [Reason.of(N_("reason.link_needs_fare"), mode=mode)]
        if mode in FARE_MODES and fare is not None and fare_unknown:
            errors["fare_unknown"] = [Reason.of(N_("reason.fare_and_unknown"))]
        if mode == "coach" and data.get("service_kind") not in COACH_SERVICE_KINDS:
            errors["service_kind"] = [
                Reason.of(N_("reason.one_of"), choices=", ".join(COACH_SERVICE_KINDS))
            ]
        timetable, hours = original.get("timetable"), original.get("hours")
        if not data.get("bidirectional", True):
            backward = {
                i: {"direction": [Reason.of(N_("reason.backward_one_way"))]}
                for i, service in enumerate(data.get("timetable") or ())
                if service is not None and service.direction == "backward"
            }
            if backward:
                errors["timetable"] = backward
        if hours is not None and timetable is not None:
            errors["hours"] = [Reason.of(N_("reason.hours_or_timetable"))]
        if mode in SCHEDULED_MODES and timetable is None and hours is None:
            errors["timetable"] = [Reason.of(N_("reason.link_needs_timetable"), mode=mode)]
        if data.get("status") == "planned" and "expected" not in original:
            errors["expected"] = [Reason.of(N_("reason.planned_needs_expected"))]
        if data.get("source") == "K" and original.get("uncertain", False) is not True:
            errors["uncertain"] = [Reason.of(N_("reason.k_source_uncertain"))]
        if mode not in ("road", "walk"):
            for key in ("name_vi", "name_en"):
                if not data.get(key) and key in data:
                    errors[key] = [REQUIRED]
        if errors:
            raise MarshmallowError(errors)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Link:
        minutes, speed = data["minutes"], data["speed_kmh"]
        if minutes is None and speed is not None:
            minutes = data["km"] / speed * 60.0
        services = [s for s in data.get("timetable") or () if s is not None]
        if data.get("hours") is not None:
            first, last = data["hours"]
            services.append(Service("both", first=first, last=last, headway_min=0))
        optional_int = {
            key: None if data[key] is None else int(data[key])
            for key in ("fare_child_vnd", "fare_year")
        }
        return Link(
            id=data["id"],
            source_node=data["source_node"],
            target_node=data["target_node"],
            mode=data["mode"],
            km=data["km"],
            minutes=minutes,
            minutes_back=data["minutes_back"] if data["minutes_back"] is not None else minutes,
            name_vi=data["name_vi"],
            name_en=data["name_en"],
            toll_vnd=int(data["toll_vnd"] or 0),
            fare_vnd=int(data["fare_vnd"] or 0),
            bidirectional=data["bidirectional"],
            services=tuple(services),
            fare_unknown=data["fare_unknown"],
            service_kind=str(data["service_kind"] or ""),
            operators=data["operators"],
            status=data["status"],
            opened=data["opened"],
            expected=data["expected"],
            closed_since=data["closed_since"],
            source=data["source"],
            uncertain=data["uncertain"],
            note=str(data["note"]),
            **optional_int,
        )


class NodeSchema(_Shape):
    """A node: a city, pier, junction or station, where links meet."""

    id = _Text(required=True)
    lat = _Number(-90, 90, required=True)
    lon = _Number(-180, 180, required=True)
    kind = _Text(required=True, validate=_one_of(NODE_KINDS, show=True))
    area = _Raw(load_default="mainland")
    place_ids = _Strings(Reason.of(N_("reason.place_id_list")))
    name_vi = _Text(required=True)
    name_en = _Text(required=True)
    source = _Text(required=True)
    uncertain = _Raw(load_default=False)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Node:
        return Node(**{**data, "uncertain": bool(data["uncertain"])})


def _coordinate(value: Any) -> bool:
    """Tell whether *value* is a number a coordinate can be (finite, and not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) if isinstance(value, float) else abs(value) < 10**6


class _Polygon(_NullIsAValue, fields.Field):
    """At least 3 ``[lat, lon]`` vertices."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list) or len(value) < 3:
            raise MarshmallowError(THREE_VERTICES)
        errors = {
            i: [Reason.of(N_("reason.lat_lon"))]
            for i, vertex in enumerate(value)
            if not (
                isinstance(vertex, list)
                and len(vertex) == 2
                and all(_coordinate(v) for v in vertex)
            )
        }
        if errors:
            raise MarshmallowError(errors)
        return tuple((float(lat), float(lon)) for lat, lon in value)


class AreaSchema(_Shape):
    """An island, a water body or a mountain, reached by its access mode."""

    id = _Text(required=True)
    kind = _Choice(AREA_KINDS, load_default="island")
    name_vi = _Raw(load_default=None)
    name_en = _Raw(load_default=None)
    polygon = _Polygon(required=True, error_messages={"required": THREE_VERTICES})
    access_mode = _Choice(MODES, load_default="")
    access_kmh = _Number(positive=True, load_default=None)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Area:
        water = data["kind"] == "water"
        return Area(
            id=data["id"],
            kind=data["kind"],
            name_vi=str(data["name_vi"] if data["name_vi"] is not None else data["id"]),
            name_en=str(data["name_en"] if data["name_en"] is not None else data["id"]),
            polygon=data["polygon"],
            access_mode=data["access_mode"] or ("boat" if water else "road"),
            access_kmh=data["access_kmh"] or (15.0 if water else 30.0),
        )


class AttachmentSchema(_Shape):
    """How a place reaches the network: its nodes or its area, and the minutes to get there."""

    nodes = _Raw(load_default=list)
    area = _Raw(load_default=None)
    minutes = _Number(0, 600, load_default=None)
    mode = _Choice(MODES, load_default=None, allow_none=True)
    note = _Raw(load_default="")

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        nodes = data.get("nodes")
        if not isinstance(nodes, list):
            errors["nodes"] = [Reason.of(N_("reason.node_id_list"))]
        if not (isinstance(nodes, list) and nodes) and data.get("area") is None:
            errors["_schema"] = [Reason.of(N_("reason.needs_nodes_or_area"))]
        if errors:
            raise MarshmallowError(errors)


class ScenarioSchema(_Shape):
    """A what-if: links opened or closed, or seasons forced."""

    open = _Raw(load_default=list)
    close = _Raw(load_default=list)
    seasons = _Raw(load_default=dict)
    description = _Raw(load_default="")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        for key in ("open", "close"):
            if not isinstance(data[key], list):
                errors[key] = [Reason.of(N_("reason.link_id_list"))]
        if not isinstance(data["seasons"], dict):
            errors["seasons"] = [Reason.of(N_("reason.seasons_map"))]
        elif not original.get("open") and not original.get("close") and not data["seasons"]:
            errors["_schema"] = [Reason.of(N_("reason.changes_nothing"))]
        if errors:
            raise MarshmallowError(errors)


class TaxiSchema(_Shape):
    """The metered taxi tariff."""

    open_vnd = _Number(0, 1e6, required=True)
    open_km = _Number(0, 10, required=True)
    per_km_vnd = _Number(0, 1e5, required=True)
    per_km_long_vnd = _Number(0, 1e5, required=True)
    long_from_km = _Number(0, 500, required=True)
    max_km = _Number(0, 500, required=True)
    seats = _Number(0, 16, required=True)
    year = _Number(1990, 2100, load_default=None)
    source = _Text(required=True)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> TaxiTariff:
        ints = ("open_vnd", "per_km_vnd", "per_km_long_vnd", "seats")
        values = {k: int(v) if k in ints else v for k, v in data.items()}
        values["year"] = None if data["year"] is None else int(data["year"])
        return TaxiTariff(**values)


class AccessSchema(_Shape):
    """How places are attached to the network (detours, walking, speeds)."""

    detour_factor = _Number(positive=True)
    walk_max_km = _Number(positive=True)
    walk_kmh = _Number(positive=True)
    road_kmh_short = _Number(positive=True)
    road_kmh_long = _Number(positive=True)
    long_km = _Number(positive=True)
    attach_nodes = _Number(positive=True)
    nearby_km = _Number(positive=True)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> AccessRules:
        if "attach_nodes" in data:
            data["attach_nodes"] = int(data["attach_nodes"])
        return AccessRules(**data)


class _Access(fields.Nested):
    """A non-object ``access`` is ignored (the defaults hold), as it always was."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        return super()._deserialize(value if isinstance(value, dict) else {}, attr, data, **kwargs)


class _Mapping(_NullIsAValue, fields.Field):
    """Any JSON object; anything else is *reason*."""

    def __init__(self, reason: Reason, **kwargs: Any) -> None:
        self.reason = reason
        super().__init__(load_default=dict, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise MarshmallowError(self.reason)
        return value


class NetworkSchema(_Shape):
    """The network file: every shape above, each item named by its id in errors."""

    version = _Raw(load_default="")
    access = _Access(AccessSchema, load_default=AccessRules)
    areas = _ById(AreaSchema)
    nodes = _ById(NodeSchema)
    links = _ById(LinkSchema)
    attachments = _ByKey(
        AttachmentSchema, Reason.of(N_("reason.keyed_by_place")), Reason.of(N_("reason.object"))
    )
    scenarios = _ByKey(
        ScenarioSchema,
        Reason.of(N_("reason.keyed_by_scenario")),
        Reason.of(N_("reason.scenario_object")),
    )
    sources = _Mapping(Reason.of(N_("reason.keyed_by_source")))
    taxi = _Object(
        TaxiSchema, Reason.of(N_("reason.taxi_object")), load_default=None, allow_none=True
    )


def _references(values: dict[str, Any]) -> list[FieldError]:
    """What items say about each other: the nodes of links and attachments, the areas of
    nodes and attachments, the links and seasons of scenarios."""
    errors: list[FieldError] = []
    fail = lambda where, reason: errors.append(FieldError(where, reason))  # noqa: E731
    area_ids = set(values.get("areas", {})) | {"mainland"}
    node_ids = set(values.get("nodes", {}))
    links = values.get("links", {})
    for node_id, node in values.get("nodes", {}).items():
        if node is not None and not (isinstance(node.area, str) and node.area in area_ids):
            fail(f"nodes[{node_id}].area", Reason.of(N_("reason.unknown_area"), id=repr(node.area)))
    for link_id, link in links.items():
        for key, end in (("from", link and link.source_node), ("to", link and link.target_node)):
            if link is not None and end not in node_ids:
                fail(f"links[{link_id}].{key}", Reason.of(N_("reason.unknown_node"), id=repr(end)))
    for place_id, attachment in values.get("attachments", {}).items():
        where = f"attachments[{place_id}]"
        if attachment is None:
            continue
        for i, node_id in enumerate(attachment["nodes"]):
            if not (isinstance(node_id, str) and node_id in node_ids):
                fail(f"{where}.nodes[{i}]", Reason.of(N_("reason.unknown_node"), id=repr(node_id)))
        area = attachment["area"]
        if area is not None and not (isinstance(area, str) and area in area_ids):
            fail(f"{where}.area", Reason.of(N_("reason.unknown_area"), id=repr(area)))
    for name, scenario in values.get("scenarios", {}).items():
        where = f"scenarios[{name}]"
        if scenario is None:
            continue
        for key in ("open", "close"):
            for i, link_id in enumerate(scenario[key]):
                if not (isinstance(link_id, str) and link_id in links):
                    fail(
                        f"{where}.{key}[{i}]",
                        Reason.of(N_("reason.unknown_link"), id=repr(link_id)),
                    )
        for link_id, season in scenario["seasons"].items():
            if link_id not in links:
                fail(
                    f"{where}.seasons[{link_id}]",
                    Reason.of(N_("reason.unknown_link"), id=repr(link_id)),
                )
            elif links[link_id] is not None and (
                not isinstance(season, str) or season not in links[link_id].season_names()
            ):
                known = ", ".join(sorted(links[link_id].season_names())) or "none"
                fail(
                    f"{where}.seasons[{link_id}]",
                    Reason.of(
                        N_("reason.no_such_season"),
                        link=repr(link_id),
                        season=repr(season),
                        known=known,
                    ),
                )
    return errors


def parse_network(data: object, *, version: str = "") -> Network:
    """Build a :class:`Network` from the decoded JSON *data*, validating everything.

    The file loads through :class:`NetworkSchema`; then the items' references to each other
    are checked. Both report into one list.

    :raise ValidationError: listing every bad item, each field named like
        ``links[got-cai-vieng-ferry].timetable[0].departures[3]``.
    """
    if not isinstance(data, dict):
        raise ValidationError([FieldError("network", Reason.of(N_("reason.json_object")))])
    values, errors = load(NetworkSchema(), data, root="network")
    errors += _references(values)
    if errors:
        raise ValidationError(
            errors,
            f"network: {len(errors)} problem(s): " + "; ".join(str(e) for e in errors[:20]),
        )
    attachments = {
        place_id: Attachment(
            place_id=place_id,
            nodes=tuple(raw["nodes"]),
            area=raw["area"],
            minutes=raw["minutes"],
            mode=raw["mode"],
            note=str(raw["note"]),
        )
        for place_id, raw in values["attachments"].items()
    }
    scenarios = {
        name: Scenario(
            name=name,
            description=str(raw["description"]),
            open=tuple(raw["open"]),
            close=tuple(raw["close"]),
            seasons=tuple(sorted(raw["seasons"].items())),
        )
        for name, raw in values["scenarios"].items()
    }
    return Network(
        version=version or str(values["version"]),
        nodes=values["nodes"],
        links=values["links"],
        areas=tuple(values["areas"].values()),
        attachments=attachments,
        scenarios=scenarios,
        sources={str(k): str(v) for k, v in values["sources"].items()},
        access=values["access"],
        taxi=values["taxi"],
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
            [
                FieldError(
                    "network",
                    Reason.of(
                        N_("reason.cannot_read"), file=str(file), detail=str(exc.strerror or exc)
                    ),
                )
            ]
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            [
                FieldError(
                    "network",
                    Reason.of(N_("reason.file_not_json"), file=file.name, detail=str(exc)),
                )
            ]
        ) from exc
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
