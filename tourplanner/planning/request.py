"""TourRequest: what a traveller or an agency asks for, parsed once and checked field by field.

The shape is declared once, by :class:`TourRequestSchema` (marshmallow), which the OpenAPI
document is generated from and which a test holds to the contract
``tourplanner/api/contracts/tour_request.schema.json``. :func:`parse_tour_request` accepts a
mapping from any edge (web form, JSON API, CLI, batch file), loads it through the schema,
resolves place and province names against the catalogue (ids, Vietnamese with or without
diacritics, English) and reports every bad field together in one
:class:`~tourplanner.errors.ValidationError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import marshmallow
from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import pre_load
from marshmallow import validates_schema

from tourplanner.catalogue.catalogue import AmbiguousName
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.catalogue import UnknownName
from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.text import fold
from tourplanner.validation import REQUIRED
from tourplanner.validation import Between
from tourplanner.validation import Choice
from tourplanner.validation import FiniteNumber
from tourplanner.validation import KeyedMap
from tourplanner.validation import MaxItems
from tourplanner.validation import NameList
from tourplanner.validation import Text
from tourplanner.validation import WholeNumber
from tourplanner.validation import load
from tourplanner.validation import max_length
from tourplanner.validation import one_of

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
MAX_BUDGET_VND = 10**12
#: the contract's pattern of a clock time (the parser then also refuses 24:00 to 29:59)
CLOCK_PATTERN = "^[0-2][0-9]:[0-5][0-9]$"
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
#: the contract's ``format: date`` (RFC 3339 full-date); fromisoformat alone would also take
#: "20270306" and week dates such as "2027-W10-6"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
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


def _in_years(low: int, high: int):
    """A validator: a date in the years *low* to *high*."""

    def check(value: dt.date) -> None:
        if not low <= value.year <= high:
            raise marshmallow.ValidationError(Reason.of(N_("reason.between"), min=low, max=high))

    return check


class IsoDate(fields.Date):
    """The contract's ``format: date`` (RFC 3339 full-date) as text; fromisoformat alone would
    also take "20270306" and week dates such as "2027-W10-6"."""

    default_error_messages = {
        "required": REQUIRED,
        "null": REQUIRED,
        "invalid": Reason.of(N_("reason.date")),
        "format": Reason.of(N_("reason.not_a_date")),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            if not _DATE.fullmatch(value.strip()):
                raise ValueError(value)
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise self.make_error("format", text=repr(value[:20])) from None


class Clock(fields.String):
    """A time of day as ``HH:MM``, loaded as minutes after midnight (and dumped back)."""

    default_error_messages = {
        "required": REQUIRED,
        "null": REQUIRED,
        "invalid": Reason.of(N_("reason.time_of_day")),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise self.make_error("invalid")
        return int(match.group(1)) * 60 + int(match.group(2))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value // 60:02d}:{value % 60:02d}"


class TourRequestSchema(Schema):
    """The tour request's fields, their types, bounds and defaults: the one declaration the
    parser loads through and the OpenAPI document (``TourRequest``) is generated from. It is
    tested against the contract ``tourplanner/api/contracts/tour_request.schema.json``.

    What needs the catalogue (names, provinces, interests, pins, quotas, the largest
    ``min_provinces``) is checked by :func:`parse_tour_request` after the schema.

    :param province_count: the catalogue's current provinces, the bound of ``min_provinces``.
    """

    class Meta:
        unknown = EXCLUDE  # the contract's additionalProperties: true, ignored

    start = Text(
        required=True,
        validate=max_length(MAX_NAME),
        metadata={
            "description": "hub or attraction id, or a place name (Vietnamese with or without "
            "diacritics, or English), where day 1 begins"
        },
    )
    end = Text(
        validate=max_length(MAX_NAME),
        metadata={"description": "where the last day ends; defaults to start"},
    )
    start_date = IsoDate(required=True, validate=_in_years(2000, 2099))
    days = WholeNumber(required=True, validate=Between(1, MAX_DAYS))
    day_start = Clock(load_default=8 * 60, metadata={"pattern": CLOCK_PATTERN})
    day_end = Clock(load_default=18 * 60 + 30, metadata={"pattern": CLOCK_PATTERN})
    pace = Choice(load_default="normal", validate=one_of(PACES))
    interests = NameList(
        max_name=MAX_NAME,
        validate=MaxItems(MAX_LIST),
        metadata={
            "description": "catalogue categories or tags, e.g. heritage, nature, beach, "
            "spiritual, cuisine, festival"
        },
    )
    must_visit = NameList(max_name=MAX_NAME, validate=MaxItems(MAX_LIST))
    exclude = NameList(max_name=MAX_NAME, validate=MaxItems(MAX_LIST))
    provinces = NameList(
        max_name=MAX_NAME,
        validate=MaxItems(MAX_LIST),
        metadata={"description": "provinces the tour must touch"},
    )
    min_provinces = WholeNumber(validate=Between(1))
    group_size = WholeNumber(load_default=2, validate=Between(1, MAX_GROUP_SIZE))
    groups = WholeNumber(
        load_default=1,
        validate=Between(1, MAX_GROUPS),
        metadata={
            "description": "agency: several groups on the same dates sharing capacity quotas"
        },
    )
    budget_vnd = WholeNumber(
        validate=Between(0, MAX_BUDGET_VND),
        metadata={"description": "per person, tickets + transport + lodging"},
    )
    max_drive_minutes_per_day = WholeNumber(validate=Between(30, 24 * 60))
    language = Choice(load_default="vi", validate=one_of(LANGUAGES))
    time_limit_s = FiniteNumber(validate=Between(0, MAX_TIME_LIMIT_S, min_inclusive=False))
    lodging = Choice(
        load_default="standard",
        validate=one_of(LODGING),
        metadata={
            "description": "lodging tier of the nights: budget (guesthouse, 1–2★), standard "
            "(3★), comfort (4★), luxury (5★); cruises by the same tiers"
        },
    )
    transport = Choice(
        load_default="auto",
        validate=one_of(TRANSPORT),
        metadata={
            "description": "auto: public services (seats, ferries, taxis) for 1–4 travellers "
            "where the day allows, a hired vehicle sized to the group otherwise; public or "
            "private forces one"
        },
    )
    pins = KeyedMap(
        validate=MaxItems(MAX_LIST, N_("reason.too_many_places")),
        error_messages={"invalid": Reason.of(N_("reason.pins_map"))},
        metadata={"description": "re-plan: attraction id -> trip day index (0-based)"},
    )
    quotas = KeyedMap(
        validate=MaxItems(MAX_LIST, N_("reason.too_many_places")),
        error_messages={"invalid": Reason.of(N_("reason.quotas_map"))},
        metadata={"description": "agency: place -> at most this many groups there per day"},
    )

    def __init__(self, *, province_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if province_count:
            self.fields["min_provinces"].validators = [Between(1, province_count)]

    @pre_load
    def _blank_is_not_given(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A field that is null or empty is not given (forms send every field); so is a
        blank place name."""
        return {
            key: value
            for key, value in data.items()
            if not (
                value is None
                or value == ""
                or (isinstance(self.fields.get(key), Text) and isinstance(value, str)
                    and not value.strip())
            )
        }  # fmt: skip

    @validates_schema(skip_on_field_errors=False)
    def _day_is_long_enough(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A day leaves room for touring (a bad clock time counts as its default)."""
        begin = data.get("day_start", 8 * 60)
        end = data.get("day_end", 18 * 60 + 30)
        if end - begin < MIN_DAY_MINUTES:
            raise marshmallow.ValidationError(
                Reason.of(N_("reason.day_too_short"), hours=MIN_DAY_MINUTES // 60), "day_end"
            )


class _Errors:
    """Field errors of the steps after the schema, in the schema's error shape."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(FieldError(name, reason))


def _resolve(
    catalogue: Catalogue,
    fields: _Errors,
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


def _resolve_must(catalogue: Catalogue, fields: _Errors, name: str, value: str) -> str | None:
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
            fields.fail(name, Reason.of(N_("reason.stay_not_sight"), name=place.name_vi))
            return None
        return place.id


def parse_tour_request(data: Mapping[str, Any], catalogue: Catalogue) -> TourRequest:
    """Check *data* against the contract and the catalogue and build a :class:`TourRequest`.

    The values load through :class:`TourRequestSchema`; the names then resolve against the
    catalogue. Both steps report into one list, so every bad field is named at once.

    :raise ValidationError: listing every bad field with its reason.
    """
    if not isinstance(data, Mapping):
        raise ValidationError([FieldError("request", Reason.of(N_("reason.json_object")))])
    schema = TourRequestSchema(province_count=len(catalogue.current_provinces()) or 1)
    values, errors = load(schema, data, root="request")
    f = _Errors(errors)
    bases = ("hub", "gateway")
    start = end = None
    if values.get("start"):
        start = _resolve(catalogue, f, "start", values["start"], prefer=bases)
    if values.get("end"):
        end = _resolve(catalogue, f, "end", values["end"], prefer=bases)

    known = {fold(c) for p in catalogue.attractions() for c in (*p.categories, *p.tags)}
    interests = []
    for i, interest in _named(values, "interests"):
        key = fold(interest).replace(" ", "-")
        if key in known:
            interests.append(key)
        else:
            f.fail(
                f"interests[{i}]",
                Reason.of(
                    N_("reason.unknown_interest"),
                    interest=repr(interest),
                    choices=", ".join(catalogue.categories()),
                ),
            )

    must = [
        _resolve_must(catalogue, f, f"must_visit[{i}]", n) for i, n in _named(values, "must_visit")
    ]
    exclude = [
        _resolve(catalogue, f, f"exclude[{i}]", n, ("attraction",))
        for i, n in _named(values, "exclude")
    ]
    both = sorted({m for m in must if m} & {e for e in exclude if e})
    if both:
        f.fail("exclude", Reason.of(N_("reason.must_and_excluded"), ids=", ".join(both)))

    provinces = []
    for i, name in _named(values, "provinces"):
        province = catalogue.province(name)
        if province is None:
            names = ", ".join(p.name_vi for p in catalogue.current_provinces())
            f.fail(
                f"provinces[{i}]",
                Reason.of(N_("reason.unknown_province_known"), name=repr(name), known=names),
            )
        else:
            provinces.append(
                province.name_vi
                if province.status == "current"
                else catalogue.provinces[province.merged_into].name_vi
            )

    days = values.get("days")
    pins: dict[str, int] = {}
    for place_id, day in values.get("pins", {}).items():
        place = catalogue.places.get(place_id) if isinstance(place_id, str) else None
        if place is None or place.kind != "attraction":
            f.fail(f"pins.{str(place_id)[:20]}", Reason.of(N_("reason.not_an_attraction")))
        elif place_id in exclude:
            f.fail(f"pins.{place_id}", Reason.of(N_("reason.pinned_and_excluded")))
        elif isinstance(day, bool) or not isinstance(day, int) or not 0 <= day < (days or MAX_DAYS):
            f.fail(f"pins.{place_id}", Reason.of(N_("reason.day_index")))
        else:
            pins[place_id] = day

    quotas: dict[str, int] = {}
    for key, capacity in values.get("quotas", {}).items():
        name = str(key)
        if len(name) > MAX_NAME:
            f.fail(f"quotas.{name[:20]}…", Reason.of(N_("reason.too_long"), max=MAX_NAME))
            continue
        place_id = _resolve(catalogue, f, f"quotas.{name}", name, ("attraction",))
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            f.fail(f"quotas.{name}", Reason.of(N_("reason.group_count")))
        elif place_id:
            quotas[place_id] = capacity

    if f.errors:
        # in the order of the fields, whichever step found them (summaries show the first)
        order = {name: i for i, name in enumerate(schema.fields)}
        head = re.compile(r"[^.\[]*")
        f.errors.sort(key=lambda e: order.get(head.match(e.field).group(), -1))
        raise ValidationError(f.errors)
    return TourRequest(
        start=start,
        end=end if end != start else None,
        start_date=values["start_date"],
        days=days,
        day_start_min=values["day_start"],
        day_end_min=values["day_end"],
        pace=values["pace"],
        interests=tuple(dict.fromkeys(interests)),
        must_visit=tuple(dict.fromkeys(m for m in must if m)),
        exclude=tuple(dict.fromkeys(e for e in exclude if e)),
        provinces=tuple(dict.fromkeys(provinces)),
        min_provinces=values.get("min_provinces"),
        group_size=values["group_size"],
        groups=values["groups"],
        budget_vnd=values.get("budget_vnd"),
        max_drive_minutes_per_day=values.get("max_drive_minutes_per_day"),
        language=values["language"],
        time_limit_s=values.get("time_limit_s"),
        pins=pins,
        quotas=quotas,
        lodging=values["lodging"],
        transport=values["transport"],
    )


def _named(values: Mapping[str, Any], name: str) -> list[tuple[int, str]]:
    """(index as sent, name) of the non-blank, valid items of the name list *name*."""
    return [(i, item) for i, item in enumerate(values.get(name) or ()) if item]
