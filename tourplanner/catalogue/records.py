"""Catalogue records: the human-editable JSON/CSV shape of a place, parsed and checked.

A *record* is one object of ``attractions.json``/``hubs.json`` (or one CSV row, unflattened).
:func:`parse_place` turns it into a :class:`~tourplanner.catalogue.models.Place` and reports
every bad field; :func:`place_to_record` is its inverse, used by the exports.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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
from tourplanner.text import fold
from tourplanner.text import nfc

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
LUNAR_MONTH_DAY = re.compile(r"^L(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|30)$")
#: the region the catalogue covers, with a margin (northern Vietnam)
LAT_RANGE = (19.0, 23.5)
LON_RANGE = (102.0, 109.5)
#: the longest free text (descriptions, notes, citations)
MAX_TEXT = 4000
#: the longest name (the columns of ``tables.py``: places 200, provinces 120)
MAX_NAME = 200
MAX_PROVINCE_NAME = 120
#: the longest ids (``places.id`` and ``provinces.id``)
MAX_PLACE_ID = 80
MAX_PROVINCE_ID = 64
#: control characters (tab, line feed and carriage return are checked separately) and lone
#: surrogates, which no database column can store (PostgreSQL refuses NUL outright)
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: line breaks: tab, LF, CR, and the ones Python's splitlines and lenient readers also break
#: on (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR), which would split a one-line name
_LINE_BREAK = re.compile("[\t\n\r\x85\u2028\u2029]")
#: separates the items of a list in a CSV cell
LIST_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one row of one file."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.field}: {self.reason}"


class _Collector:
    def __init__(self, file: str, row: int) -> None:
        self.file = file
        self.row = row
        self.errors: list[RowError] = []

    def add(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.file, self.row, field, reason))


def parse_clock(text: object) -> int | None:
    """Return minutes after midnight for ``"HH:MM"`` (``"24:00"`` allowed), else ``None``."""
    if not isinstance(text, str):
        return None
    match = CLOCK.match(text.strip())
    if not match:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= 1440 else None


def format_clock(minutes: int) -> str:
    """Return ``"HH:MM"`` for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def field_label(key: object) -> str:
    """A key as a field name fit for a message: printable and at most 60 characters."""
    text = key if isinstance(key, str) and key.isprintable() and key.strip() else repr(key)
    return text if len(text) <= 60 else text[:57] + "..."


def shown(value: object) -> str:
    """*value* as a message quotes it: its ``repr``, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:56] + "...'"


def text_problem(value: str, *, limit: int = MAX_TEXT, multiline: bool = False) -> str | None:
    """Return why *value* cannot be stored as catalogue text, or ``None`` if it can."""
    if len(value) > limit:
        return f"is longer than {limit} characters"
    bad = _BAD_CHAR.search(value)
    if bad:
        char = bad.group()
        if "\ud800" <= char <= "\udfff":
            return f"is not valid Unicode (a lone surrogate U+{ord(char):04X})"
        return f"holds a control character (U+{ord(char):04X})"
    if not multiline and _LINE_BREAK.search(value.strip()):
        return "must be on one line (no tab or line break)"
    return None


def _text(
    record: dict,
    name: str,
    errors: _Collector,
    *,
    required: bool,
    limit: int = MAX_TEXT,
    multiline: bool = False,
    where: str | None = None,
) -> str:
    value = record.get(name)
    where = where or name
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(where, "is missing")
        return ""
    if not isinstance(value, str):
        errors.add(where, f"must be text, not {type(value).__name__}")
        return ""
    problem = text_problem(value, limit=limit, multiline=multiline)
    if problem:
        errors.add(where, problem)
        return ""
    return nfc(value)


def _number(record: dict, name: str, errors: _Collector, lo: float, hi: float, what: str) -> float:
    value = record.get(name)
    if value is None or value == "":
        errors.add(name, "is missing")
        return 0.0
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            errors.add(name, f"must be a number, not {value[:40]!r}")
            return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        errors.add(name, "must be a number")
        return 0.0
    if not lo <= value <= hi:
        errors.add(name, f"{value} is out of range: {what} must be between {lo} and {hi}")
    return float(value)


def _int(
    record: dict, name: str, errors: _Collector, *, required: bool, lo: int = 0, hi: int = 10**10
) -> int | None:
    value = record.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, "is missing")
        return None
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            errors.add(name, f"must be a whole number, not {value[:40]!r}")
            return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            errors.add(name, "must be a whole number")
            return None
    if not lo <= value <= hi:
        errors.add(name, f"{value} is out of range ({lo}..{hi})")
        return None
    return value


def _flag(record: dict, name: str, errors: _Collector) -> bool:
    value = record.get(name)
    if value is None or value == "":
        return False
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0", "yes", "no"}:
        return value.strip().lower() in {"true", "1", "yes"}
    if isinstance(value, bool):
        return value
    errors.add(name, "must be true or false")
    return False


def _str_list(
    record: dict, name: str, errors: _Collector, *, limit: int = MAX_NAME
) -> tuple[str, ...]:
    """A list of one-line texts; blank items are dropped (a CSV cell ``a||b`` has none)."""
    value = record.get(name) or []
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(name, "must be a list of text")
        return ()
    items = []
    for i, item in enumerate(value):
        problem = text_problem(item, limit=limit)
        if problem is None and LIST_SEPARATOR in item:
            problem = f"must not contain {LIST_SEPARATOR!r} (it separates items in CSV)"
        if problem:
            errors.add(f"{name}[{i}]", problem)
        elif item.strip():
            items.append(nfc(item))
    return tuple(items)


def _sources(record: dict, errors: _Collector) -> dict[str, str]:
    """The ``sources`` object: fact name -> citation, both text."""
    sources = record.get("sources") or {}
    if not isinstance(sources, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in sources.items()
    ):
        errors.add("sources", "must map fact names to citations")
        return {}
    clean = {}
    for key, citation in sources.items():
        problem = text_problem(key, limit=MAX_NAME) or text_problem(citation, multiline=True)
        if problem:
            errors.add(f"sources.{field_label(key)}", problem)
        else:
            clean[nfc(key)] = nfc(citation)
    return clean


def _province(
    value: object, name: str, provinces: dict[str, Province], errors: _Collector
) -> Province | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(name, "is missing")
        return None
    found = provinces.get(fold(value))
    if found is None:
        errors.add(name, f"unknown province {shown(value)}")
    return found


def province_index(provinces: list[Province]) -> dict[str, Province]:
    """Index provinces by folded id, Vietnamese name, English name and aliases."""
    index: dict[str, Province] = {}
    for p in provinces:
        for key in (p.id, p.name_vi, p.name_en, *p.aliases):
            index[fold(key)] = p
    return index


def _opening_hours(record: dict, errors: _Collector) -> tuple[OpeningRule, ...]:
    raw = record.get("opening_hours") or []
    if not isinstance(raw, list):
        errors.add("opening_hours", "must be a list of rules")
        return ()
    rules = []
    for i, rule in enumerate(raw):
        where = f"opening_hours[{i}]"
        if not isinstance(rule, dict):
            errors.add(where, "must be an object with days, open and close")
            continue
        days = rule.get("days")
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            errors.add(f"{where}.days", f"must be a non-empty list of {', '.join(WEEKDAYS)}")
            continue
        open_min, close_min = parse_clock(rule.get("open")), parse_clock(rule.get("close"))
        if open_min is None:
            errors.add(f"{where}.open", f"malformed time {shown(rule.get('open'))} (use HH:MM)")
        if close_min is None:
            errors.add(f"{where}.close", f"malformed time {shown(rule.get('close'))} (use HH:MM)")
        if open_min is None or close_min is None:
            continue
        if close_min <= open_min:
            errors.add(
                f"{where}.close", f"closes at {rule['close']}, before it opens at {rule['open']}"
            )
            continue
        season = (rule.get("from"), rule.get("to"))
        if any(season) and not all(isinstance(s, str) and MONTH_DAY.match(s) for s in season):
            errors.add(f"{where}.from", "a season needs both from and to as MM-DD")
            continue
        rules.append(OpeningRule(tuple(days), open_min, close_min, season[0], season[1]))
    return tuple(rules)


def _festivals(record: dict, errors: _Collector) -> tuple[Festival, ...]:
    raw = record.get("festivals") or []
    if not isinstance(raw, list):
        errors.add("festivals", "must be a list")
        return ()
    festivals = []
    for i, item in enumerate(raw):
        where = f"festivals[{i}]"
        if not isinstance(item, dict):
            errors.add(where, "must be an object")
            continue
        month, day = item.get("lunar_month"), item.get("lunar_day")
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            errors.add(f"{where}.lunar_month", f"malformed lunar month {shown(month)} (1..12)")
            continue
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 30:
            errors.add(f"{where}.lunar_day", f"malformed lunar day {shown(day)} (1..30)")
            continue
        duration = item.get("duration_days", 1)
        if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 366:
            errors.add(f"{where}.duration_days", "must be a whole number of days (1..366)")
            continue
        sub = _Collector(errors.file, errors.row)
        name_vi = _text(item, "name_vi", sub, required=True, limit=MAX_NAME)
        name_en = _text(item, "name_en", sub, required=False, limit=MAX_NAME)
        errors.errors.extend(
            RowError(e.file, e.row, f"{where}.{e.field}", e.reason) for e in sub.errors
        )
        if sub.errors:
            continue
        festivals.append(Festival(name_vi, name_en or name_vi, month, day, duration))
    return tuple(festivals)


def _ticket(record: dict, errors: _Collector) -> Ticket | None:
    raw = record.get("ticket")
    if raw is None and record.get("ticket_vnd") not in (None, ""):
        raw = {"adult_vnd": record.get("ticket_vnd")}
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("ticket", "must be an object with adult_vnd, child_vnd, year")
        return None
    sub = _Collector(errors.file, errors.row)
    adult = _int(raw, "adult_vnd", sub, required=False, hi=100_000_000)
    child = _int(raw, "child_vnd", sub, required=False, hi=100_000_000)
    year = _int(raw, "year", sub, required=False, lo=1990, hi=2100)
    note = _text(raw, "note", sub, required=False, multiline=True)
    errors.errors.extend(RowError(e.file, e.row, f"ticket.{e.field}", e.reason) for e in sub.errors)
    return Ticket(adult, child, year, note)


def _lodging(record: dict, errors: _Collector) -> Lodging | None:
    raw = record.get("lodging")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("lodging", "must be an object with min_vnd, typical_vnd, max_vnd")
        return None
    sub = _Collector(errors.file, errors.row)
    lo = _int(raw, "min_vnd", sub, required=True, hi=1_000_000_000)
    typical = _int(raw, "typical_vnd", sub, required=True, hi=1_000_000_000)
    hi = _int(raw, "max_vnd", sub, required=True, hi=1_000_000_000)
    year = _int(raw, "year", sub, required=False, lo=1990, hi=2100)
    if None not in (lo, typical, hi) and not lo <= typical <= hi:
        sub.add("typical_vnd", "must lie between min_vnd and max_vnd")
    note = _text(raw, "note", sub, required=False, multiline=True)
    errors.errors.extend(
        RowError(e.file, e.row, f"lodging.{e.field}", e.reason) for e in sub.errors
    )
    if sub.errors:
        return None
    return Lodging(lo, typical, hi, year, note)


def _sub(errors: _Collector, prefix: str) -> _Collector:
    """A collector whose errors are added to *errors* under ``prefix.`` by :func:`_merge`."""
    sub = _Collector(errors.file, errors.row)
    sub.prefix = prefix  # type: ignore[attr-defined]
    return sub


def _merge(errors: _Collector, sub: _Collector) -> None:
    prefix = getattr(sub, "prefix", "")
    errors.errors.extend(
        RowError(e.file, e.row, f"{prefix}.{e.field}", e.reason) for e in sub.errors
    )


def _value_basis(record: dict, errors: _Collector) -> ValueBasis | None:
    raw = record.get("value_basis")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("value_basis", "must be an object (unesco, visitors_per_year, rankings, ...)")
        return None
    known = {"unesco", "unesco_property", "national_park", "national_tourist_area",
             "visitors_per_year", "visitors_year", "rankings"}  # fmt: skip
    for key in sorted(set(raw) - known):
        errors.add(f"value_basis.{field_label(key)}", "is not a known field")
    sub = _sub(errors, "value_basis")
    unesco = raw.get("unesco") or None
    if unesco is not None and unesco not in UNESCO_KINDS:
        sub.add("unesco", f"must be one of {', '.join(UNESCO_KINDS)} or empty")
        unesco = None
    visitors = _int(raw, "visitors_per_year", sub, required=False, lo=0, hi=10**9)
    year = _int(raw, "visitors_year", sub, required=False, lo=1990, hi=2100)
    if visitors and not year:
        sub.add("visitors_year", "is required with visitors_per_year")
    basis = ValueBasis(
        unesco=unesco,
        unesco_property=_text(raw, "unesco_property", sub, required=False, limit=MAX_TEXT),
        national_park=_flag(raw, "national_park", sub),
        national_tourist_area=_flag(raw, "national_tourist_area", sub),
        visitors_per_year=visitors,
        visitors_year=year,
        rankings=_str_list(raw, "rankings", sub, limit=MAX_TEXT),
    )
    _merge(errors, sub)
    return basis


def _clock_list(raw: dict, name: str, sub: _Collector) -> tuple[int, ...]:
    values = raw.get(name) or []
    if not isinstance(values, list):
        sub.add(name, "must be a list of HH:MM")
        return ()
    out = []
    for i, text in enumerate(values):
        minutes = parse_clock(text)
        if minutes is None:
            sub.add(f"{name}[{i}]", f"malformed time {shown(text)} (use HH:MM)")
        else:
            out.append(minutes)
    if out != sorted(set(out)):
        sub.add(name, "must be in increasing order without repeats")
    return tuple(out)


def _product(record: dict, errors: _Collector) -> Product | None:
    raw = record.get("product")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("product", "must be an object (family, duration_min, departures or window)")
        return None
    known = {"family", "duration_min", "departures", "window", "lunch", "visits", "boat_vnd",
             "boat_unknown", "year", "note"}  # fmt: skip
    for key in sorted(set(raw) - known):
        errors.add(f"product.{field_label(key)}", "is not a known field")
    sub = _sub(errors, "product")
    family = _text(raw, "family", sub, required=True, limit=MAX_PLACE_ID)
    if family and not SLUG.match(family):
        sub.add("family", f"{family!r} is not a slug")
    duration = _int(raw, "duration_min", sub, required=True, lo=15, hi=24 * 60)
    departures = _clock_list(raw, "departures", sub)
    window = None
    if raw.get("window") is not None:
        w = raw.get("window")
        if not isinstance(w, list) or len(w) != 2:
            sub.add("window", "must be [first, last] as HH:MM")
        else:
            a, b = parse_clock(w[0]), parse_clock(w[1])
            if a is None or b is None or b < a:
                sub.add("window", f"malformed window {shown(w)}")
            else:
                window = (a, b)
    if bool(departures) == (window is not None):
        sub.add("departures", "give either departures or a window")
    boat = _int(raw, "boat_vnd", sub, required=False, hi=100_000_000)
    boat_unknown = _flag(raw, "boat_unknown", sub)
    if boat is None and not boat_unknown:
        sub.add(
            "boat_vnd", "is required (or boat_unknown: true); 0 if the ticket includes the boat"
        )
    product = Product(
        family=family,
        duration_min=duration or 0,
        departures=departures,
        window=window,
        lunch=_flag(raw, "lunch", sub),
        visits=_str_list(raw, "visits", sub),
        boat_vnd=boat,
        boat_unknown=boat_unknown,
        year=_int(raw, "year", sub, required=False, lo=1990, hi=2100),
        note=_text(raw, "note", sub, required=False, multiline=True),
    )
    _merge(errors, sub)
    return product


def _lodging_tiers(record: dict, errors: _Collector) -> tuple[LodgingTier, ...]:
    raw = record.get("lodging_tiers")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        errors.add("lodging_tiers", f"must map tiers ({', '.join(LODGING_TIERS)}) to prices")
        return ()
    tiers = []
    for name in sorted(raw, key=lambda t: LODGING_TIERS.index(t) if t in LODGING_TIERS else 9):
        where = f"lodging_tiers.{field_label(name)}"
        if name not in LODGING_TIERS:
            errors.add(where, f"unknown tier (use {', '.join(LODGING_TIERS)})")
            continue
        item = raw[name]
        if not isinstance(item, dict):
            errors.add(where, "must be an object with min_vnd, typical_vnd, max_vnd")
            continue
        sub = _sub(errors, where)
        lo = _int(item, "min_vnd", sub, required=True, hi=1_000_000_000)
        typical = _int(item, "typical_vnd", sub, required=True, hi=1_000_000_000)
        hi = _int(item, "max_vnd", sub, required=True, hi=1_000_000_000)
        if None not in (lo, typical, hi) and not lo <= typical <= hi:
            sub.add("typical_vnd", "must lie between min_vnd and max_vnd")
        tier = LodgingTier(
            tier=name,
            min_vnd=lo or 0,
            typical_vnd=typical or 0,
            max_vnd=hi or 0,
            year=_int(item, "year", sub, required=False, lo=1990, hi=2100),
            examples=_str_list(item, "examples", sub, limit=MAX_NAME),
            note=_text(item, "note", sub, required=False, multiline=True),
        )
        _merge(errors, sub)
        tiers.append(tier)
    return tuple(tiers)


def _cruise(record: dict, errors: _Collector) -> Cruise | None:
    raw = record.get("cruise")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.add("cruise", "must be an object (family, board, leave, meals, visits)")
        return None
    sub = _sub(errors, "cruise")
    family = _text(raw, "family", sub, required=True, limit=MAX_PLACE_ID)
    board, leave = parse_clock(raw.get("board")), parse_clock(raw.get("leave"))
    if board is None:
        sub.add("board", f"malformed time {shown(raw.get('board'))} (use HH:MM)")
    if leave is None:
        sub.add("leave", f"malformed time {shown(raw.get('leave'))} (use HH:MM)")
    meals = _str_list(raw, "meals", sub)
    if any(m not in MEALS for m in meals):
        sub.add("meals", f"must be a list of {', '.join(MEALS)}")
    cruise = Cruise(
        family=family,
        board_min=board or 0,
        leave_min=leave or 0,
        meals=meals,
        visits=_str_list(raw, "visits", sub),
        note=_text(raw, "note", sub, required=False, multiline=True),
    )
    _merge(errors, sub)
    return cruise


def parse_place(
    record: object,
    provinces: dict[str, Province],
    *,
    file: str,
    row: int,
    default_kind: str | None = None,
) -> tuple[Place | None, list[RowError]]:
    """Check one record and build its :class:`Place`.

    :param provinces: :func:`province_index` of the known provinces.
    :param default_kind: the kind implied by the file name when the record has none.
    :return: the place (``None`` if any field is bad) and every error found.
    """
    errors = _Collector(file, row)
    if not isinstance(record, dict):
        errors.add("row", "must be an object")
        return None, errors.errors
    place_id = _text(record, "id", errors, required=True, limit=MAX_PLACE_ID)
    if place_id and not SLUG.match(place_id):
        errors.add("id", f"{place_id!r} is not a slug (a-z, 0-9 and single '-')")
    kind = record.get("kind") or default_kind
    if kind not in KINDS:
        errors.add("kind", f"must be one of {', '.join(KINDS)}" if kind else "is missing")
    name_vi = _text(record, "name_vi", errors, required=True, limit=MAX_NAME)
    name_en = _text(record, "name_en", errors, required=True, limit=MAX_NAME)
    province = _province(record.get("province"), "province", provinces, errors)
    former = None
    if record.get("former_province"):
        former = _province(record.get("former_province"), "former_province", provinces, errors)
        if former and province and former.merged_into != province.id and former.id != province.id:
            errors.add(
                "former_province",
                f"{former.name_vi} was not merged into {province.name_vi}",
            )
    if province and province.status != "current":
        errors.add("province", f"{province.name_vi} is a former province; use the current one")
    lat = _number(record, "lat", errors, *LAT_RANGE, "latitude")
    lon = _number(record, "lon", errors, *LON_RANGE, "longitude")
    categories = _str_list(record, "categories", errors)
    bad = [c for c in categories if c not in CATEGORIES]
    if bad:
        errors.add(
            "categories", f"unknown categories {', '.join(bad)} (use {', '.join(CATEGORIES)})"
        )
    if kind == "attraction" and not categories:
        errors.add("categories", "an attraction needs at least one category")
    visit = _int(
        record, "visit_minutes", errors, required=kind == "attraction", lo=5, hi=24 * 60 * 3
    )
    min_visit = _int(record, "min_visit_minutes", errors, required=False, lo=5, hi=24 * 60 * 3)
    if visit and min_visit and min_visit > visit:
        errors.add("min_visit_minutes", "is longer than visit_minutes")
    closed = _str_list(record, "closed_dates", errors)
    for key in closed:
        if not (MONTH_DAY.match(key) or LUNAR_MONTH_DAY.match(key)):
            errors.add(
                "closed_dates", f"malformed date {shown(key)} (use MM-DD, or LMM-DD for lunar)"
            )
    heritage = record.get("heritage_rank") or None
    if heritage is not None and heritage not in HERITAGE_RANKS:
        errors.add("heritage_rank", f"must be one of {', '.join(HERITAGE_RANKS)} or empty")
        heritage = None
    basis = _value_basis(record, errors)
    if basis is not None:
        # the value is computed from its evidence (tourplanner/value.py); a stated one must agree
        value = significance(basis, heritage)
        stated = record.get("value")
        if stated not in (None, "") and str(stated) != str(value):
            errors.add(
                "value", f"is computed from value_basis as {value}; remove it or write {value}"
            )
    else:
        value = _int(record, "value", errors, required=kind == "attraction", lo=1, hi=100)
    hub_type = record.get("hub_type") or None
    if kind in ("hub", "gateway") and hub_type not in HUB_TYPES:
        errors.add("hub_type", f"must be one of {', '.join(HUB_TYPES)}")
    lodging = _lodging(record, errors)
    if (
        kind == "hub"
        and lodging is None
        and not any(e.field.startswith("lodging") for e in errors.errors)
    ):
        errors.add("lodging", "an overnight hub needs a lodging price range")
    access = record.get("access") or {}
    if not isinstance(access, dict):
        errors.add("access", "must be an object with needs and notes")
        access = {}
    needs = access.get("needs") or []
    if not isinstance(needs, list) or any(n not in ACCESS_NEEDS for n in needs):
        errors.add("access.needs", f"must be a list of {', '.join(ACCESS_NEEDS)}")
        needs = []
    access_notes = {
        key: _text(access, key, errors, required=False, multiline=True, where=f"access.{key}")
        for key in ("note_vi", "note_en")
    }
    sources = _sources(record, errors)
    place = Place(
        id=place_id,
        kind=kind or "",
        name_vi=name_vi,
        name_en=name_en,
        province=province.name_vi if province else "",
        former_province=former.name_vi if former else None,
        lat=lat,
        lon=lon,
        aliases=_str_list(record, "aliases", errors),
        categories=categories,
        tags=tuple(t.lower() for t in _str_list(record, "tags", errors)),
        visit_minutes=visit,
        min_visit_minutes=min_visit,
        opening_hours=_opening_hours(record, errors),
        closed_dates=closed,
        ticket=_ticket(record, errors),
        value=value,
        unesco=_flag(record, "unesco", errors),
        heritage_rank=heritage,
        festivals=_festivals(record, errors),
        access_needs=tuple(needs),
        access_note_vi=access_notes["note_vi"],
        access_note_en=access_notes["note_en"],
        hub_type=hub_type,
        lodging=lodging,
        description_vi=_text(record, "description_vi", errors, required=False, multiline=True),
        description_en=_text(record, "description_en", errors, required=False, multiline=True),
        sources=sources,
        uncertain=_str_list(record, "uncertain", errors, limit=MAX_TEXT),
        retired=_flag(record, "retired", errors),
        value_basis=basis,
        part_of=_text(record, "part_of", errors, required=False, limit=MAX_PLACE_ID) or None,
        product=_product(record, errors),
        lodging_tiers=_lodging_tiers(record, errors),
        cruise=_cruise(record, errors),
    )
    if place.cruise is not None and hub_type != "cruise":
        errors.add("cruise", "only a hub of hub_type cruise has cruise details")
    if hub_type == "cruise" and place.cruise is None:
        errors.add("cruise", "a cruise hub needs its cruise details (family, board, leave)")
    if place.product is not None and kind != "attraction":
        errors.add("product", "only an attraction can be a product")
    return (None if errors.errors else place), errors.errors


def parse_province(
    record: object, *, file: str, row: int
) -> tuple[Province | None, list[RowError]]:
    """Check one record of ``provinces.json`` and build its :class:`Province`."""
    errors = _Collector(file, row)
    if not isinstance(record, dict):
        errors.add("row", "must be an object")
        return None, errors.errors
    pid = _text(record, "id", errors, required=True, limit=MAX_PROVINCE_ID)
    if pid and not SLUG.match(pid):
        errors.add("id", f"{pid!r} is not a slug (a-z, 0-9 and single '-')")
    name_vi = _text(record, "name_vi", errors, required=True, limit=MAX_PROVINCE_NAME)
    name_en = _text(record, "name_en", errors, required=True, limit=MAX_PROVINCE_NAME)
    status = record.get("status")
    if status not in ("current", "former"):
        errors.add("status", "must be 'current' or 'former'")
        status = None
    merged = record.get("merged_into") or None
    if merged is not None and not (
        isinstance(merged, str) and len(merged) <= MAX_PROVINCE_ID and SLUG.match(merged)
    ):
        errors.add("merged_into", "must be the id of a province")
        merged = None
    elif status == "former" and not merged:
        errors.add("merged_into", "a former province must name the province it merged into")
    elif status == "current" and merged:
        errors.add("merged_into", "only a former province is merged into another")
    province = Province(
        pid,
        name_vi,
        name_en,
        status or "",
        merged,
        _str_list(record, "aliases", errors, limit=MAX_PROVINCE_NAME),
        _sources(record, errors),
    )
    return (None if errors.errors else province), errors.errors


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
