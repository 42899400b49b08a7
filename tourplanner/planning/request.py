"""TourRequest: what a traveller or an agency asks for, parsed once and checked field by field.

The shape is ``shared/contracts/tour_request.schema.json``. :func:`parse_tour_request` accepts
a mapping from any edge (web form, JSON API, CLI, batch file), resolves place and province
names against the catalogue (ids, Vietnamese with or without diacritics, English) and reports
every bad field together in one :class:`~tourplanner.errors.ValidationError`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tourplanner.catalogue.catalogue import AmbiguousName
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.catalogue import UnknownName
from tourplanner.errors import FieldError
from tourplanner.errors import ValidationError
from tourplanner.text import fold
from tourplanner.text import nfc

PACES = ("relaxed", "normal", "packed")
LANGUAGES = ("vi", "en")
#: lodging tiers: guesthouse or 1–2★, 3★, 4★, 5★ (cruises: their cheapest, 3★, 4★, 5★ cabins)
LODGING = ("budget", "standard", "comfort", "luxury")
#: how the group travels: chosen per day by group size, public services, or a hired vehicle
TRANSPORT = ("auto", "public", "private")
MAX_DAYS = 14
MAX_LIST = 50
MAX_NAME = 200
MAX_GROUPS = 20
MAX_GROUP_SIZE = 200
MAX_TIME_LIMIT_S = 120.0
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
#: the contract's ``format: date`` (RFC 3339 full-date); fromisoformat alone would also take
#: "20270306" and week dates such as "2027-W10-6"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[+-]?[0-9]+")
#: a trip day must leave room for at least this much touring
MIN_DAY_MINUTES = 180


@dataclass(frozen=True, slots=True)
class TourRequest:
    """A checked tour request; place fields hold catalogue ids, provinces their Vietnamese names."""

    start: str
    start_date: dt.date
    days: int
    end: str | None = None
    day_start_min: int = 8 * 60
    day_end_min: int = 18 * 60 + 30
    pace: str = "normal"
    interests: tuple[str, ...] = ()
    must_visit: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    min_provinces: int | None = None
    group_size: int = 2
    groups: int = 1
    budget_vnd: int | None = None
    max_drive_minutes_per_day: int | None = None
    language: str = "vi"
    time_limit_s: float | None = None
    #: pins from a re-plan: place id -> trip day index (0-based)
    pins: Mapping[str, int] = field(default_factory=dict)
    #: agency capacity: place id -> at most this many of the groups there per day
    quotas: Mapping[str, int] = field(default_factory=dict)
    lodging: str = "standard"
    transport: str = "auto"

    @property
    def end_place(self) -> str:
        """Where the last day ends (the start when no end was asked for)."""
        return self.end or self.start

    @property
    def dates(self) -> list[dt.date]:
        """The trip's dates, one per day."""
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]

    def to_dict(self) -> dict[str, Any]:
        """Return the request in the contract's shape (ids for places)."""
        body: dict[str, Any] = {
            "start": self.start,
            "start_date": self.start_date.isoformat(),
            "days": self.days,
            "day_start": f"{self.day_start_min // 60:02d}:{self.day_start_min % 60:02d}",
            "day_end": f"{self.day_end_min // 60:02d}:{self.day_end_min % 60:02d}",
            "pace": self.pace,
            "interests": list(self.interests),
            "must_visit": list(self.must_visit),
            "exclude": list(self.exclude),
            "provinces": list(self.provinces),
            "group_size": self.group_size,
            "groups": self.groups,
            "language": self.language,
            "lodging": self.lodging,
            "transport": self.transport,
        }
        optional = {
            "end": self.end,
            "min_provinces": self.min_provinces,
            "budget_vnd": self.budget_vnd,
            "max_drive_minutes_per_day": self.max_drive_minutes_per_day,
            "time_limit_s": self.time_limit_s,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if self.pins:
            body["pins"] = dict(self.pins)
        if self.quotas:
            body["quotas"] = dict(self.quotas)
        return body


class _Fields:
    """Collects field errors while values are read."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(FieldError(name, reason))

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(value, str):
            self.fail(name, "must be text")
            return None
        if len(value) > MAX_NAME:
            self.fail(name, f"is longer than {MAX_NAME} characters")
            return None
        return nfc(value)

    def integer(self, name: str, lo: int, hi: int, *, default: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            text = value.strip()
            if _DIGITS.fullmatch(text) and len(text) > 18:
                # out of every range; int() would refuse 4,300 digits and more anyway
                value = -(10**18) if text.startswith("-") else 10**18
            else:
                try:
                    value = int(text)
                except ValueError:
                    self.fail(name, f"must be a whole number, not {value[:20]!r}")
                    return default
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "must be a whole number")
            return default
        if not lo <= value <= hi:
            if hi < 10**12:
                self.fail(name, f"must be between {lo} and {hi:,}")
            else:
                self.fail(
                    name, f"must be at least {lo}" if value < lo else f"must be at most {hi:,}"
                )
            return default
        return value

    def number(self, name: str, lo: float, hi: float) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                self.fail(name, f"must be a number, not {value[:20]!r}")
                return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            # an int is always finite; math.isfinite() would overflow on a huge one
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            self.fail(name, "must be a finite number")
            return None
        if not lo < value <= hi:  # exact for ints of any size
            self.fail(name, f"must be more than {lo:g} and at most {hi:g}")
            return None
        return float(value)

    def clock(self, name: str, default: int) -> int:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
        if not match:
            self.fail(name, "must be a time of day as HH:MM, e.g. 08:00")
            return default
        return int(match.group(1)) * 60 + int(match.group(2))

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if value not in choices:
            self.fail(name, f"must be one of {', '.join(choices)}")
            return default
        return value

    def strings(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [v for v in value.split(",")]
        if not isinstance(value, list | tuple):
            self.fail(name, "must be a list of names")
            return []
        if len(value) > MAX_LIST:
            self.fail(name, f"has {len(value)} items; at most {MAX_LIST} are allowed")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(f"{name}[{i}]", "must be text")
            elif len(item) > MAX_NAME:
                self.fail(f"{name}[{i}]", f"is longer than {MAX_NAME} characters")
            elif item.strip():
                out.append(nfc(item))
        return out


def _resolve(
    catalogue: Catalogue,
    fields: _Fields,
    name: str,
    value: str,
    kinds: tuple[str, ...] | None = None,
    prefer: tuple[str, ...] = (),
) -> str | None:
    """Resolve *value* to a place id, or record under field *name* why it cannot be.

    :param prefer: kinds that settle an ambiguity: "Hải Phòng" as a start is the city's hub,
        not one of the sights named after the city.
    """
    try:
        return catalogue.resolve(value, kinds=kinds, prefer=prefer).id
    except (AmbiguousName, UnknownName) as exc:
        fields.fail(name, exc.message)
    return None


def _resolve_must(catalogue: Catalogue, fields: _Fields, name: str, value: str) -> str | None:
    """A must-visit: an attraction, or an overnight cruise (a night aboard it)."""
    try:
        return catalogue.resolve(value, kinds=("attraction",)).id
    except AmbiguousName as exc:
        fields.fail(name, exc.message)
        return None
    except UnknownName as exc:
        try:
            place = catalogue.resolve(value, kinds=("hub",))
        except (AmbiguousName, UnknownName):
            fields.fail(name, exc.message)
            return None
        if place.cruise is None:
            fields.fail(name, f"{place.name_vi} is a place to stay, not a sight: the planner "
                              "chooses the nights (name a cruise to sleep aboard it)")  # fmt: skip
            return None
        return place.id


def parse_tour_request(data: Mapping[str, Any], catalogue: Catalogue) -> TourRequest:
    """Check *data* against the contract and the catalogue and build a :class:`TourRequest`.

    :raise ValidationError: listing every bad field with its reason.
    """
    if not isinstance(data, Mapping):
        raise ValidationError([FieldError("request", "must be a JSON object")])
    f = _Fields(data)
    start_name = f.text("start", required=True)
    end_name = f.text("end")
    bases = ("hub", "gateway")
    start = _resolve(catalogue, f, "start", start_name, prefer=bases) if start_name else None
    end = _resolve(catalogue, f, "end", end_name, prefer=bases) if end_name else None

    start_date = None
    raw_date = data.get("start_date")
    if raw_date is None or raw_date == "":
        f.fail("start_date", "is required")
    elif not isinstance(raw_date, str):
        f.fail("start_date", "must be a date as YYYY-MM-DD")
    else:
        try:
            if not _DATE.fullmatch(raw_date.strip()):
                raise ValueError(raw_date)
            start_date = dt.date.fromisoformat(raw_date.strip())
        except ValueError:
            f.fail("start_date", f"{raw_date[:20]!r} is not a date (use YYYY-MM-DD)")
        else:
            if not 2000 <= start_date.year <= 2099:
                f.fail("start_date", "must be between 2000 and 2099")
                start_date = None
    if "days" not in data or data.get("days") in (None, ""):
        f.fail("days", "is required")
    days = f.integer("days", 1, MAX_DAYS, default=None)
    day_start = f.clock("day_start", 8 * 60)
    day_end = f.clock("day_end", 18 * 60 + 30)
    if day_end - day_start < MIN_DAY_MINUTES:
        f.fail("day_end", f"must be at least {MIN_DAY_MINUTES // 60} hours after day_start")
    pace = f.choice("pace", PACES, "normal")
    language = f.choice("language", LANGUAGES, "vi")
    lodging = f.choice("lodging", LODGING, "standard")
    transport = f.choice("transport", TRANSPORT, "auto")

    known = {fold(c) for p in catalogue.attractions() for c in (*p.categories, *p.tags)}
    interests = []
    for i, interest in enumerate(f.strings("interests")):
        key = fold(interest).replace(" ", "-")
        if key in known:
            interests.append(key)
        else:
            f.fail(
                f"interests[{i}]",
                f"unknown interest {interest!r}; try {', '.join(catalogue.categories())}",
            )

    must = [
        _resolve_must(catalogue, f, f"must_visit[{i}]", n)
        for i, n in enumerate(f.strings("must_visit"))
    ]
    exclude = [
        _resolve(catalogue, f, f"exclude[{i}]", n, ("attraction",))
        for i, n in enumerate(f.strings("exclude"))
    ]
    both = sorted({m for m in must if m} & {e for e in exclude if e})
    if both:
        f.fail("exclude", f"{', '.join(both)} is both a must-visit and excluded")

    provinces = []
    for i, name in enumerate(f.strings("provinces")):
        province = catalogue.province(name)
        if province is None:
            names = ", ".join(p.name_vi for p in catalogue.current_provinces())
            f.fail(f"provinces[{i}]", f"unknown province {name!r}; known: {names}")
        else:
            provinces.append(
                province.name_vi
                if province.status == "current"
                else catalogue.provinces[province.merged_into].name_vi
            )
    min_provinces = f.integer("min_provinces", 1, len(catalogue.current_provinces()) or 1)
    group_size = f.integer("group_size", 1, MAX_GROUP_SIZE, default=2)
    groups = f.integer("groups", 1, MAX_GROUPS, default=1)
    budget = f.integer("budget_vnd", 0, 10**12)
    max_drive = f.integer("max_drive_minutes_per_day", 30, 24 * 60)
    time_limit = f.number("time_limit_s", 0, MAX_TIME_LIMIT_S)

    pins: dict[str, int] = {}
    raw_pins = data.get("pins") or {}
    if not isinstance(raw_pins, Mapping):
        f.fail("pins", "must map place ids to day numbers")
    elif len(raw_pins) > MAX_LIST:
        f.fail("pins", f"has {len(raw_pins)} places; at most {MAX_LIST} are allowed")
    else:
        for place_id, day in raw_pins.items():
            place = catalogue.places.get(place_id) if isinstance(place_id, str) else None
            if place is None or place.kind != "attraction":
                f.fail(f"pins.{str(place_id)[:20]}", "is not the id of an attraction")
            elif place_id in exclude:
                f.fail(f"pins.{place_id}", "is pinned and excluded at once")
            elif (
                isinstance(day, bool)
                or not isinstance(day, int)
                or not 0 <= day < (days or MAX_DAYS)
            ):
                f.fail(f"pins.{place_id}", "must be a day index of the trip (0-based)")
            else:
                pins[place_id] = day

    quotas: dict[str, int] = {}
    raw_quotas = data.get("quotas") or {}
    if not isinstance(raw_quotas, Mapping):
        f.fail("quotas", "must map places to the number of groups allowed there per day")
    elif len(raw_quotas) > MAX_LIST:  # each name is resolved: bound the work a request makes
        f.fail("quotas", f"has {len(raw_quotas)} places; at most {MAX_LIST} are allowed")
    else:
        for key, capacity in raw_quotas.items():
            name = str(key)
            if len(name) > MAX_NAME:
                f.fail(f"quotas.{name[:20]}…", f"is longer than {MAX_NAME} characters")
                continue
            place_id = _resolve(catalogue, f, f"quotas.{name}", name, ("attraction",))
            if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
                f.fail(f"quotas.{name}", "must be a whole number of groups (0 or more)")
            elif place_id:
                quotas[place_id] = capacity

    if f.errors:
        raise ValidationError(f.errors)
    return TourRequest(
        start=start,
        end=end if end != start else None,
        start_date=start_date,
        days=days,
        day_start_min=day_start,
        day_end_min=day_end,
        pace=pace,
        interests=tuple(dict.fromkeys(interests)),
        must_visit=tuple(dict.fromkeys(m for m in must if m)),
        exclude=tuple(dict.fromkeys(e for e in exclude if e)),
        provinces=tuple(dict.fromkeys(provinces)),
        min_provinces=min_provinces,
        group_size=group_size,
        groups=groups,
        budget_vnd=budget,
        max_drive_minutes_per_day=max_drive,
        language=language,
        time_limit_s=time_limit,
        pins=pins,
        quotas=quotas,
        lodging=lodging,
        transport=transport,
    )
