"""Catalogue records: the human-editable JSON/CSV shape of a place or a province, declared once.

A *record* is one object of ``attractions.json``/``hubs.json`` (or one CSV row, unflattened) or
of ``provinces.json``. :class:`PlaceRecordSchema` and :class:`ProvinceRecordSchema` declare each
field with its type and bounds, and the rules between fields; the OpenAPI document describes a
place with the same schema (``api/schemas.py``), so the documentation and the importer agree.
:func:`parse_place` and :func:`parse_province` load a record through its schema and report
every bad field as a :class:`RowError` (``opening_hours[0].open``, ``ticket.adult_vnd``);
:func:`place_to_record` is the inverse, used by the exports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import pre_load
from marshmallow import validate
from marshmallow import validates_schema

from tourplanner.catalogue.models import ACCESS_NEEDS
from tourplanner.catalogue.models import CATEGORIES
from tourplanner.catalogue.models import HERITAGE_RANKS
from tourplanner.catalogue.models import HUB_TYPES
from tourplanner.catalogue.models import KINDS
from tourplanner.catalogue.models import LODGING_TIERS
from tourplanner.catalogue.models import MEALS
from tourplanner.catalogue.models import UNESCO_KINDS
from tourplanner.catalogue.models import WEEKDAYS
from tourplanner.catalogue.models import Cruise
from tourplanner.catalogue.models import Festival
from tourplanner.catalogue.models import Lodging
from tourplanner.catalogue.models import LodgingTier
from tourplanner.catalogue.models import OpeningRule
from tourplanner.catalogue.models import Place
from tourplanner.catalogue.models import Product
from tourplanner.catalogue.models import Province
from tourplanner.catalogue.models import Ticket
from tourplanner.catalogue.models import ValueBasis
from tourplanner.catalogue.value import significance
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.text import fold
from tourplanner.text import nfc
from tourplanner.validation import MAX_TEXT
from tourplanner.validation import MISSING
from tourplanner.validation import Choice
from tourplanner.validation import Clock
from tourplanner.validation import Clocks
from tourplanner.validation import FiniteNumber
from tourplanner.validation import Flag
from tourplanner.validation import Objects
from tourplanner.validation import OutOfRange
from tourplanner.validation import StoredText
from tourplanner.validation import TextList
from tourplanner.validation import WholeNumber
from tourplanner.validation import Word
from tourplanner.validation import Words
from tourplanner.validation import field_label
from tourplanner.validation import format_clock
from tourplanner.validation import load
from tourplanner.validation import one_of
from tourplanner.validation import parse_clock
from tourplanner.validation import shown
from tourplanner.validation import text_problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
LUNAR_MONTH_DAY = re.compile(r"^L(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|30)$")
#: the region the catalogue covers, with a margin (northern Vietnam)
LAT_RANGE = (19.0, 23.5)
LON_RANGE = (102.0, 109.5)
#: the longest name (the columns of ``tables.py``: places 200, provinces 120)
MAX_NAME = 200
MAX_PROVINCE_NAME = 120
#: the longest ids (``places.id`` and ``provinces.id``)
MAX_PLACE_ID = 80
MAX_PROVINCE_ID = 64
_MISSING = {"required": MISSING, "null": MISSING}
CURRENT_OR_FORMER = Reason.of(N_("reason.current_or_former"))


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one row of one file."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.field}: {self.reason}"


def province_index(provinces: list[Province]) -> dict[str, Province]:
    """Index provinces by folded id, Vietnamese name, English name and aliases."""
    index: dict[str, Province] = {}
    for p in provinces:
        for key in (p.id, p.name_vi, p.name_en, *p.aliases):
            index[fold(key)] = p
    return index


# -- validators ---------------------------------------------------------------------------------


_SLUG = validate.Regexp(SLUG, error=Reason.of(N_("reason.not_a_slug")))
SEASON_BOTH = Reason.of(N_("reason.season_needs_both"))
_SEASON_END = validate.Regexp(MONTH_DAY, error=SEASON_BOTH)


def _known(choices: tuple[str, ...], reason: str):
    """A validator of a list: every item is one of *choices*, else *reason* (a key with
    ``{bad}`` and ``{choices}``)."""

    def check(values: tuple[str, ...]) -> None:
        bad = [v for v in values if v not in choices]
        if bad:
            raise ValidationError(Reason.of(reason, bad=", ".join(bad), choices=", ".join(choices)))

    return check


def _dates(values: tuple[str, ...]) -> None:
    """Every item is ``MM-DD`` or, lunar, ``LMM-DD``."""
    bad = [v for v in values if not (MONTH_DAY.match(v) or LUNAR_MONTH_DAY.match(v))]
    if bad:
        raise ValidationError([Reason.of(N_("reason.malformed_date"), value=shown(v)) for v in bad])


# -- fields -------------------------------------------------------------------------------------


def _whole(low: int, high: int, **kwargs: Any) -> WholeNumber:
    """A whole number in ``low..high``; not given is ``None`` unless *required*."""
    if not kwargs.get("required"):
        kwargs.setdefault("load_default", None)
        kwargs.setdefault("allow_none", True)
    return WholeNumber(validate=OutOfRange(low, high), error_messages=_MISSING, **kwargs)


def _coordinate(bounds: tuple[float, float], what: Reason) -> FiniteNumber:
    """A latitude or longitude inside the region the catalogue covers."""
    return FiniteNumber(required=True, validate=OutOfRange(*bounds, what), error_messages=_MISSING)


class _Window(fields.List):
    """``[first, last]`` as ``HH:MM``, as a pair of minutes."""

    default_error_messages = {"invalid": Reason.of(N_("reason.window"))}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"minItems": 2, "maxItems": 2}
        super().__init__(Clock(), load_default=None, allow_none=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list) or len(value) != 2:
            raise self.make_error("invalid")
        first, last = parse_clock(value[0]), parse_clock(value[1])
        if first is None or last is None or last < first:
            raise ValidationError(Reason.of(N_("reason.malformed_window"), value=shown(value)))
        return first, last


class _LunarNumber(fields.Integer):
    """A lunar month or day, an int in ``low..high``: ``malformed lunar day 31 (1..30)``."""

    default_error_messages = _MISSING

    def __init__(self, what: Reason, low: int, high: int, **kwargs: Any) -> None:
        self.what = what
        super().__init__(validate=validate.Range(low, high), required=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        low, high = self.validators[0].min, self.validators[0].max
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(
                Reason.of(
                    N_("reason.malformed_number"),
                    what=self.what,
                    value=shown(value),
                    min=low,
                    max=high,
                )
            )
        return value


class _ProvinceName(fields.String):
    """A province by id, name or alias (any diacritics) among the schema's ``provinces``;
    loaded as that :class:`Province`."""

    default_error_messages = _MISSING

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Province:
        if not isinstance(value, str):
            raise ValidationError(
                Reason.of(N_("reason.province_name_not"), type=type(value).__name__)
            )
        found = self.root.provinces.get(fold(value))
        if found is None:
            raise ValidationError(Reason.of(N_("reason.unknown_province"), value=shown(value)))
        return found


class _Sources(fields.Dict):
    """Fact name (one line) -> citation (any text)."""

    default_error_messages = {"invalid": Reason.of(N_("reason.sources_map"))}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.String(), load_default=dict, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if not value:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self.make_error("invalid")
        errors = {}
        for key, citation in value.items():
            problem = text_problem(key, limit=MAX_NAME) or text_problem(citation, multiline=True)
            if problem:
                errors[field_label(key)] = [problem]
        if errors:
            raise ValidationError(errors)
        return {nfc(k): nfc(v) for k, v in value.items()}


def _object(schema: type[Schema], **kwargs: Any) -> fields.Nested:
    """A nested object, not given is ``None``; anything else is the schema's ``type`` reason."""
    return fields.Nested(schema, load_default=None, allow_none=True, **kwargs)


# -- schemas ------------------------------------------------------------------------------------


def _given(original: object, key: str) -> bool:
    """Tell whether the raw object *original* has a value (not null, not blank) for *key*."""
    if not isinstance(original, Mapping):
        return False
    value = original.get(key)
    return not (value is None or (isinstance(value, str) and not value.strip()))


class _Shape(Schema):
    """An object of a catalogue record: a key that is null or blank is not given (a CSV cell
    is never null, only empty). Keys that are no field are reported by the loader."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_not_given(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data  # refused with the schema's "type" reason
        return {k: v for k, v in data.items() if _given(data, k)}


class _Closed(_Shape):
    """An object whose every key must be one of its fields (a typo would lose a fact)."""

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _known_keys(self, data: dict, original: Any, **kwargs: Any) -> None:
        names = {f.data_key or name for name, f in self.fields.items()}
        unknown = [k for k in original if k not in names] if isinstance(original, Mapping) else []
        if unknown:
            raise ValidationError(
                {field_label(k): [Reason.of(N_("reason.unknown_field"))] for k in sorted(unknown)}
            )


class OpeningRuleSchema(_Shape):
    """Opening hours on some weekdays, all year or in a season ``from``-``to`` (MM-DD)."""

    error_messages = {"type": Reason.of(N_("reason.opening_rule_object"))}

    days = Words(
        WEEKDAYS,
        Reason.of(N_("reason.non_empty_list_of"), choices=", ".join(WEEKDAYS)),
        required=True,
    )
    open = Clock(required=True)
    close = Clock(required=True)
    season_from = StoredText(load_default=None, data_key="from", validate=_SEASON_END)
    season_to = StoredText(load_default=None, data_key="to", validate=_SEASON_END)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _closes_after_opening(self, data: dict, original: Any, **kwargs: Any) -> None:
        if "open" in data and "close" in data and data["close"] <= data["open"]:
            opens, closes = format_clock(data["open"]), format_clock(data["close"])
            raise ValidationError(
                Reason.of(N_("reason.closes_before_opening"), closes=closes, opens=opens), "close"
            )
        if _given(original, "from") != _given(original, "to"):
            raise ValidationError(SEASON_BOTH, "from")

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> OpeningRule:
        return OpeningRule(
            data["days"], data["open"], data["close"], data["season_from"], data["season_to"]
        )


class FestivalSchema(_Shape):
    """A festival on a lunar date; the English name defaults to the Vietnamese one."""

    error_messages = {"type": Reason.of(N_("reason.object"))}

    name_vi = StoredText(MAX_NAME, required=True)
    name_en = StoredText(MAX_NAME)
    lunar_month = _LunarNumber(Reason.of(N_("reason.word.lunar_month")), 1, 12)
    lunar_day = _LunarNumber(Reason.of(N_("reason.word.lunar_day")), 1, 30)
    duration_days = _whole(1, 366, load_default=1)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Festival:
        return Festival(
            data["name_vi"],
            data["name_en"] or data["name_vi"],
            data["lunar_month"],
            data["lunar_day"],
            data["duration_days"],
        )


class TicketSchema(_Shape):
    """The entrance ticket, VND per person, and the year of the price."""

    error_messages = {"type": Reason.of(N_("reason.ticket_object"))}

    adult_vnd = _whole(0, 100_000_000)
    child_vnd = _whole(0, 100_000_000)
    year = _whole(1990, 2100)
    note = StoredText(multiline=True)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Ticket:
        return Ticket(**data)


class _PriceRange(_Shape):
    """A price range per night, VND: the typical price lies inside it."""

    error_messages = {"type": Reason.of(N_("reason.price_range_object"))}

    min_vnd = _whole(0, 1_000_000_000, required=True)
    typical_vnd = _whole(0, 1_000_000_000, required=True)
    max_vnd = _whole(0, 1_000_000_000, required=True)
    year = _whole(1990, 2100)

    @validates_schema
    def _typical_inside(self, data: dict, **kwargs: Any) -> None:
        if not data["min_vnd"] <= data["typical_vnd"] <= data["max_vnd"]:
            raise ValidationError(Reason.of(N_("reason.typical_inside")), "typical_vnd")


class LodgingSchema(_PriceRange):
    """The price range of a night at an overnight hub."""

    note = StoredText(multiline=True)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Lodging:
        return Lodging(**data)


class LodgingTierSchema(_PriceRange):
    """The price range of one lodging tier, with example hotels."""

    examples = TextList(MAX_NAME)
    note = StoredText(multiline=True)


class _Tiers(fields.Dict):
    """Tier (budget, standard, ...) -> its price range; loaded as :class:`LodgingTier` items
    in the order of the tiers."""

    default_error_messages = {
        "invalid": Reason.of(N_("reason.tiers_map"), tiers=", ".join(LODGING_TIERS))
    }

    def __init__(self, **kwargs: Any) -> None:
        keys = fields.String(metadata={"enum": list(LODGING_TIERS)})
        values = fields.Nested(LodgingTierSchema)
        super().__init__(keys=keys, values=values, load_default=None, allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        tiers, errors = [], {}
        for name in sorted(
            value, key=lambda t: LODGING_TIERS.index(t) if t in LODGING_TIERS else 9
        ):
            if name not in LODGING_TIERS:
                errors[field_label(name)] = [
                    Reason.of(N_("reason.unknown_tier"), tiers=", ".join(LODGING_TIERS))
                ]
                continue
            try:
                tiers.append(LodgingTier(tier=name, **LodgingTierSchema().load(value[name])))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return tuple(tiers)


class AccessSchema(_Shape):
    """What reaching the place needs (a boat, a hike, a permit, ...) and notes about it."""

    error_messages = {"type": Reason.of(N_("reason.access_object"))}

    needs = Words(ACCESS_NEEDS, Reason.of(N_("reason.list_of"), choices=", ".join(ACCESS_NEEDS)))
    note_vi = StoredText(multiline=True)
    note_en = StoredText(multiline=True)


class ValueBasisSchema(_Closed):
    """The evidence a place's value is computed from (``docs/value-model.md``)."""

    error_messages = {"type": Reason.of(N_("reason.value_basis_object"))}

    unesco = Word(UNESCO_KINDS, or_empty=True)
    unesco_property = StoredText(MAX_TEXT)
    national_park = Flag()
    national_tourist_area = Flag()
    visitors_per_year = _whole(0, 10**9)
    visitors_year = _whole(1990, 2100)
    rankings = TextList(MAX_TEXT)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _visitors_have_a_year(self, data: dict, original: Any, **kwargs: Any) -> None:
        if data.get("visitors_per_year") and not _given(original, "visitors_year"):
            raise ValidationError(Reason.of(N_("reason.required_with_visitors")), "visitors_year")

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> ValueBasis:
        return ValueBasis(**data)


class ProductSchema(_Closed):
    """A bay or river route sold as one product: its departures (or a window), duration, boat
    fare and the places it visits."""

    error_messages = {"type": Reason.of(N_("reason.product_object"))}

    family = StoredText(MAX_PLACE_ID, required=True, validate=_SLUG)
    duration_min = _whole(15, 24 * 60, required=True)
    departures = Clocks()
    window = _Window()
    lunch = Flag()
    visits = TextList()
    boat_vnd = _whole(0, 100_000_000)
    boat_unknown = Flag()
    year = _whole(1990, 2100)
    note = StoredText(multiline=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _departures_and_boat(self, data: dict, original: Any, **kwargs: Any) -> None:
        if not isinstance(original, Mapping):
            return  # not an object: the schema's type reason says so
        errors = {}
        departures = bool(original.get("departures"))
        if departures == _given(original, "window"):
            errors["departures"] = [Reason.of(N_("reason.departures_or_window"))]
        if not _given(original, "boat_vnd") and not data.get("boat_unknown"):
            errors["boat_vnd"] = [Reason.of(N_("reason.boat_required"))]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Product:
        return Product(**data)


class CruiseSchema(_Shape):
    """An overnight cruise: boarding and leaving times, meals on board, places visited."""

    error_messages = {"type": Reason.of(N_("reason.cruise_object"))}

    family = StoredText(MAX_PLACE_ID, required=True)
    board = Clock(required=True)
    leave = Clock(required=True)
    meals = Words(MEALS, Reason.of(N_("reason.list_of"), choices=", ".join(MEALS)))
    visits = TextList()
    note = StoredText(multiline=True)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Cruise:
        board, leave = data.pop("board"), data.pop("leave")
        return Cruise(board_min=board, leave_min=leave, **data)


_NO_ACCESS = {"needs": (), "note_vi": "", "note_en": ""}
#: stands for a field that failed its own check: the rules between fields skip it
_BAD = object()


class PlaceRecordSchema(_Shape):
    """A place of the catalogue (attraction, overnight hub or gateway) as its data files and
    the API write it.

    :param provinces: :func:`province_index` of the known provinces.
    :param default_kind: the kind implied by the file name when the record has none.
    """

    id = StoredText(MAX_PLACE_ID, required=True, validate=_SLUG)
    kind = Choice(required=True, validate=one_of(KINDS), error_messages=_MISSING)
    name_vi = StoredText(MAX_NAME, required=True)
    name_en = StoredText(MAX_NAME, required=True)
    aliases = TextList()
    province = _ProvinceName(required=True, metadata={"description": "current province"})
    former_province = _ProvinceName(load_default=None, allow_none=True)
    lat = _coordinate(LAT_RANGE, Reason.of(N_("reason.word.latitude")))
    lon = _coordinate(LON_RANGE, Reason.of(N_("reason.word.longitude")))
    categories = TextList(validate=_known(CATEGORIES, N_("reason.unknown_categories")))
    tags = TextList()
    visit_minutes = _whole(5, 24 * 60 * 3)
    min_visit_minutes = _whole(5, 24 * 60 * 3)
    opening_hours = Objects(OpeningRuleSchema, Reason.of(N_("reason.rule_list")))
    closed_dates = TextList(validate=_dates)
    ticket_vnd = _whole(
        0, 100_000_000, metadata={"description": "the adult ticket, when ticket is not given"}
    )
    ticket = _object(TicketSchema)
    value = _whole(1, 100, metadata={"description": "computed from value_basis when given"})
    unesco = Flag()
    heritage_rank = Word(HERITAGE_RANKS, or_empty=True)
    festivals = Objects(FestivalSchema, Reason.of(N_("reason.list")))
    access = fields.Nested(AccessSchema, load_default=lambda: dict(_NO_ACCESS))
    hub_type = Word(HUB_TYPES)
    lodging = _object(LodgingSchema)
    description_vi = StoredText(multiline=True)
    description_en = StoredText(multiline=True)
    sources = _Sources()
    uncertain = TextList(MAX_TEXT)
    retired = Flag()
    value_basis = _object(
        ValueBasisSchema,
        metadata={"description": "the evidence the value is computed from (docs/value-model.md)"},
    )
    part_of = StoredText(
        MAX_PLACE_ID,
        allow_none=True,
        metadata={"description": "the attraction this one lies inside"},
    )
    product = _object(ProductSchema)
    lodging_tiers = _Tiers(metadata={"description": "prices per tier: budget, standard, ..."})
    cruise = _object(CruiseSchema)

    def __init__(
        self,
        provinces: dict[str, Province] | None = None,
        *,
        default_kind: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.provinces = provinces or {}
        self.default_kind = default_kind

    @pre_load
    def _blank_is_not_given(self, data: Any, **kwargs: Any) -> Any:
        """Blank keys are not given; a record without a kind has the file's; ``ticket_vnd``
        (one CSV cell) is the adult ticket when there is no ``ticket``."""
        data = {k: v for k, v in data.items() if _given(data, k)}
        if not data.get("kind"):
            data.pop("kind", None)
            if self.default_kind:
                data["kind"] = self.default_kind
        ticket_vnd = data.pop("ticket_vnd", None)
        if ticket_vnd is not None and "ticket" not in data:
            data["ticket"] = {"adult_vnd": ticket_vnd}
        return data

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _rules_between_fields(self, data: dict, original: Any, **kwargs: Any) -> None:
        """Provinces agree, minimum visits are shorter, each kind has what it needs; a field
        that failed its own check is skipped here."""
        errors: dict[str, list[Reason]] = {}

        def fail(name: str, reason: Reason) -> None:
            errors.setdefault(name, []).append(reason)

        kind, province, former = data.get("kind"), data.get("province"), data.get("former_province")
        if former and province and province.id not in (former.id, former.merged_into):
            fail(
                "former_province",
                Reason.of(
                    N_("reason.not_merged_into"), former=former.name_vi, province=province.name_vi
                ),
            )
        if province and province.status != "current":
            fail("province", Reason.of(N_("reason.former_province"), province=province.name_vi))
        if kind == "attraction" and not data.get("categories", _BAD):
            fail("categories", Reason.of(N_("reason.needs_category")))
        if kind == "attraction" and data.get("visit_minutes", _BAD) is None:
            fail("visit_minutes", MISSING)
        visit, min_visit = data.get("visit_minutes"), data.get("min_visit_minutes")
        if visit and min_visit and min_visit > visit:
            fail("min_visit_minutes", Reason.of(N_("reason.longer_than_visit")))
        # a nested object that failed its own check arrives as a dict of its valid fields
        if isinstance(data.get("value_basis"), ValueBasis):
            value = significance(data["value_basis"], data.get("heritage_rank"))
            if _given(original, "value") and str(original["value"]) != str(value):
                fail("value", Reason.of(N_("reason.value_computed"), value=value))
        elif (
            kind == "attraction"
            and data.get("value", _BAD) is None
            and not _given(original, "value_basis")  # a bad one has its own error
        ):
            fail("value", MISSING)
        hub_type = data.get("hub_type", _BAD)
        if kind in ("hub", "gateway") and hub_type is None:
            fail("hub_type", Reason.of(N_("reason.one_of"), choices=", ".join(HUB_TYPES)))
        if kind == "hub" and data.get("lodging", _BAD) is None:
            fail("lodging", Reason.of(N_("reason.hub_needs_lodging")))
        if data.get("cruise") is not None and hub_type != "cruise":
            fail("cruise", Reason.of(N_("reason.cruise_details_only_on_cruise")))
        if hub_type == "cruise" and data.get("cruise", _BAD) is None:
            fail("cruise", Reason.of(N_("reason.cruise_needs_details")))
        if data.get("product") is not None and kind != "attraction":
            fail("product", Reason.of(N_("reason.product_only_attraction")))
        if errors:
            raise ValidationError(errors)

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Place:
        basis, former = data["value_basis"], data["former_province"]
        access = data["access"]
        return Place(
            id=data["id"],
            kind=data["kind"],
            name_vi=data["name_vi"],
            name_en=data["name_en"],
            province=data["province"].name_vi,
            former_province=former.name_vi if former else None,
            lat=data["lat"],
            lon=data["lon"],
            aliases=data["aliases"],
            categories=data["categories"],
            tags=tuple(t.lower() for t in data["tags"]),
            visit_minutes=data["visit_minutes"],
            min_visit_minutes=data["min_visit_minutes"],
            opening_hours=data["opening_hours"],
            closed_dates=data["closed_dates"],
            ticket=data["ticket"],
            value=significance(basis, data["heritage_rank"]) if basis else data["value"],
            unesco=data["unesco"],
            heritage_rank=data["heritage_rank"],
            festivals=data["festivals"],
            access_needs=access["needs"],
            access_note_vi=access["note_vi"],
            access_note_en=access["note_en"],
            hub_type=data["hub_type"],
            lodging=data["lodging"],
            description_vi=data["description_vi"],
            description_en=data["description_en"],
            sources=data["sources"],
            uncertain=data["uncertain"],
            retired=data["retired"],
            value_basis=basis,
            part_of=data["part_of"] or None,
            product=data["product"],
            lodging_tiers=data["lodging_tiers"] or (),
            cruise=data["cruise"],
        )


class ProvinceRecordSchema(_Shape):
    """A provincial unit of ``provinces.json``; a former one names the province it merged
    into."""

    id = StoredText(MAX_PROVINCE_ID, required=True, validate=_SLUG)
    name_vi = StoredText(MAX_PROVINCE_NAME, required=True)
    name_en = StoredText(MAX_PROVINCE_NAME, required=True)
    status = Choice(
        required=True,
        validate=validate.OneOf(("current", "former"), error=CURRENT_OR_FORMER),
        error_messages=dict.fromkeys(("required", "null"), CURRENT_OR_FORMER),
    )
    merged_into = StoredText(
        MAX_PROVINCE_ID,
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(SLUG, error=Reason.of(N_("reason.province_id"))),
    )
    aliases = TextList(MAX_PROVINCE_NAME)
    sources = _Sources()

    @validates_schema(skip_on_field_errors=False)
    def _merged_only_when_former(self, data: dict, **kwargs: Any) -> None:
        status, merged = data.get("status"), data.get("merged_into", _BAD)
        if status == "former" and merged is None:
            raise ValidationError(Reason.of(N_("reason.former_needs_merged_into")), "merged_into")
        if status == "current" and merged not in (None, _BAD):
            raise ValidationError(Reason.of(N_("reason.only_former_merged")), "merged_into")

    @post_load
    def _build(self, data: dict, **kwargs: Any) -> Province:
        return Province(**data)


# -- parsing ------------------------------------------------------------------------------------

#: schemas by (index, default kind), so that the rows of one file share one schema
_SCHEMAS: dict[tuple[int, str | None], PlaceRecordSchema] = {}


def _place_schema(provinces: dict[str, Province], default_kind: str | None) -> PlaceRecordSchema:
    key = (id(provinces), default_kind)
    schema = _SCHEMAS.get(key)
    if schema is None or schema.provinces is not provinces:
        if len(_SCHEMAS) >= 8:
            _SCHEMAS.clear()
        schema = _SCHEMAS[key] = PlaceRecordSchema(provinces, default_kind=default_kind)
    return schema


def _parse(schema: Schema, record: object, file: str, row: int) -> tuple[Any, list[RowError]]:
    if not isinstance(record, dict):
        return None, [RowError(file, row, "row", Reason.of(N_("reason.object")))]
    loaded, errors = load(schema, record)
    if errors:
        return None, [RowError(file, row, e.field, e.reason) for e in errors]
    return loaded, []


def parse_place(
    record: object,
    provinces: dict[str, Province],
    *,
    file: str,
    row: int,
    default_kind: str | None = None,
) -> tuple[Place | None, list[RowError]]:
    """Check one record through :class:`PlaceRecordSchema` and build its :class:`Place`.

    :param provinces: :func:`province_index` of the known provinces.
    :param default_kind: the kind implied by the file name when the record has none.
    :return: the place (``None`` if any field is bad) and every error found.
    """
    return _parse(_place_schema(provinces, default_kind), record, file, row)


def parse_province(
    record: object, *, file: str, row: int
) -> tuple[Province | None, list[RowError]]:
    """Check one record of ``provinces.json`` and build its :class:`Province`."""
    return _parse(ProvinceRecordSchema(), record, file, row)


def _clean(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v is not None}


def place_to_record(place: Place) -> dict:
    """Return the JSON record of *place* (the data-file shape plus ``kind`` and ``ticket_vnd``)."""
    ticket = place.ticket
    return {
        "id": place.id,
        "kind": place.kind,
        "name_vi": place.name_vi,
        "name_en": place.name_en,
        "aliases": list(place.aliases),
        "province": place.province,
        "former_province": place.former_province,
        "lat": place.lat,
        "lon": place.lon,
        "categories": list(place.categories),
        "tags": list(place.tags),
        "visit_minutes": place.visit_minutes,
        "min_visit_minutes": place.min_visit_minutes,
        "opening_hours": [
            _clean(
                {
                    "days": list(r.days),
                    "open": format_clock(r.open_min),
                    "close": format_clock(r.close_min),
                    "from": r.season_from,
                    "to": r.season_to,
                }
            )
            for r in place.opening_hours
        ],
        "closed_dates": list(place.closed_dates),
        "ticket_vnd": ticket.adult_vnd if ticket else None,
        "ticket": (
            {
                "adult_vnd": ticket.adult_vnd,
                "child_vnd": ticket.child_vnd,
                "year": ticket.year,
                "note": ticket.note,
            }
            if ticket
            else None
        ),
        "value": place.value,
        "unesco": place.unesco,
        "heritage_rank": place.heritage_rank,
        "festivals": [
            {
                "name_vi": f.name_vi,
                "name_en": f.name_en,
                "lunar_month": f.lunar_month,
                "lunar_day": f.lunar_day,
                "duration_days": f.duration_days,
            }
            for f in place.festivals
        ],
        "access": {
            "needs": list(place.access_needs),
            "note_vi": place.access_note_vi,
            "note_en": place.access_note_en,
        },
        "hub_type": place.hub_type,
        "lodging": (
            {
                "min_vnd": place.lodging.min_vnd,
                "typical_vnd": place.lodging.typical_vnd,
                "max_vnd": place.lodging.max_vnd,
                "year": place.lodging.year,
                "note": place.lodging.note,
            }
            if place.lodging
            else None
        ),
        "description_vi": place.description_vi,
        "description_en": place.description_en,
        "sources": dict(place.sources),
        "uncertain": list(place.uncertain),
        "retired": place.retired,
        "value_basis": _basis_record(place.value_basis),
        "part_of": place.part_of,
        "product": _product_record(place.product),
        "lodging_tiers": (
            {
                t.tier: _clean(
                    {
                        "min_vnd": t.min_vnd,
                        "typical_vnd": t.typical_vnd,
                        "max_vnd": t.max_vnd,
                        "year": t.year,
                        "examples": list(t.examples),
                        "note": t.note or None,
                    }
                )
                for t in place.lodging_tiers
            }
            if place.lodging_tiers
            else None
        ),
        "cruise": (
            _clean(
                {
                    "family": place.cruise.family,
                    "board": format_clock(place.cruise.board_min),
                    "leave": format_clock(place.cruise.leave_min),
                    "meals": list(place.cruise.meals),
                    "visits": list(place.cruise.visits),
                    "note": place.cruise.note or None,
                }
            )
            if place.cruise
            else None
        ),
    }


def _basis_record(basis: ValueBasis | None) -> dict | None:
    if basis is None:
        return None
    return _clean(
        {
            "unesco": basis.unesco,
            "unesco_property": basis.unesco_property or None,
            "national_park": basis.national_park or None,
            "national_tourist_area": basis.national_tourist_area or None,
            "visitors_per_year": basis.visitors_per_year,
            "visitors_year": basis.visitors_year,
            # always present: an empty object would read back as SQL NULL from some drivers
            "rankings": list(basis.rankings),
        }
    )


def _product_record(product: Product | None) -> dict | None:
    if product is None:
        return None
    return _clean(
        {
            "family": product.family,
            "duration_min": product.duration_min,
            "departures": [format_clock(t) for t in product.departures] or None,
            "window": (
                [format_clock(product.window[0]), format_clock(product.window[1])]
                if product.window
                else None
            ),
            "lunch": product.lunch or None,
            "visits": list(product.visits) or None,
            "boat_vnd": product.boat_vnd,
            "boat_unknown": product.boat_unknown or None,
            "year": product.year,
            "note": product.note or None,
        }
    )
