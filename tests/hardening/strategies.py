"""Hypothesis strategies for TourRequests, generated from the contract schema.

Every value comes from ``tour_request.schema.json`` (the packaged copy of the shared contract):
its ``type``, ``minimum``/``maximum``/``exclusiveMinimum``, ``enum``, ``pattern`` and
``format``. Three families:

* :func:`valid_requests` -- schema-valid requests that also keep to the limits the product
  documents beyond the schema (:data:`PRODUCT_LIMITS`) and name places, provinces and
  interests of the tiny test catalogue (``tests/data/catalogue``). The parser must accept them.
* :func:`broken_requests` -- a valid request with exactly one field broken (a wrong JSON type,
  null, a schema violation, a product limit, an unknown name, a 1 MB string, NaN, a bool as a
  number...). The parser must reject it and name that field.
* :func:`any_requests` -- anything at all, under the schema's keys or not.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tourplanner.planning import request as tr
from tourplanner.text import fold

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(
    (ROOT / "tourplanner" / "api" / "contracts" / "tour_request.schema.json").read_text("utf-8")
)
PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]
REQUIRED: tuple[str, ...] = tuple(SCHEMA["required"])
OPTIONAL: tuple[str, ...] = tuple(p for p in PROPERTIES if p not in REQUIRED)
#: request keys the parser reads beyond the contract (re-plan pins, agency quotas)
UNDOCUMENTED = ("pins", "quotas")

#: limits the product sets beyond the schema (see tourplanner/tour_request.py and the README)
PRODUCT_LIMITS: dict[str, tuple[int, int]] = {
    "days": (1, tr.MAX_DAYS),
    "min_provinces": (1, 7),  # the current provinces of the catalogue
    "group_size": (1, tr.MAX_GROUP_SIZE),
    "groups": (1, tr.MAX_GROUPS),
    "budget_vnd": (0, 10**12),
    "max_drive_minutes_per_day": (30, 24 * 60),
}
YEARS = (2000, 2099)


class Huge(str):
    """A long string that reports itself in a few characters (hypothesis prints examples)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self):,} characters: {str.__repr__(self[:16])}…>"


@cache
def _huge(size: int) -> str:
    return Huge(("Hạ Long " * (size // 8 + 1))[:size])


#: a 1 MB name
HUGE = _huge(1 << 20)
#: a name just too long, and a 1 MB one
huge_text = st.sampled_from([tr.MAX_NAME + 1, 1 << 20]).map(_huge)

CATALOGUE = ROOT / "tests" / "data" / "catalogue"


def _load(name: str) -> list[dict[str, Any]]:
    return json.loads((CATALOGUE / f"{name}.json").read_text("utf-8"))


@dataclass(frozen=True)
class Names:
    """Spellings of the test catalogue's places, provinces and interests."""

    #: (spelling, id) of every place, ids and names whose folded form is unique
    places: tuple[tuple[str, str], ...]
    attractions: tuple[tuple[str, str], ...]
    provinces: tuple[str, ...]
    interests: tuple[str, ...]


def _names() -> Names:
    attractions = _load("attractions")
    hubs = _load("hubs")
    by_fold: dict[str, set[str]] = {}
    spellings: list[tuple[str, str, str]] = []
    for place in attractions + hubs:
        kind = place.get("kind") or "attraction"
        for name in (place["id"], place["name_vi"], place["name_en"], *place.get("aliases", [])):
            by_fold.setdefault(fold(name), set()).add(place["id"])
            spellings.append((name, place["id"], kind))
    unique = [(n, pid, kind) for n, pid, kind in spellings if len(by_fold[fold(n)]) == 1]
    provinces = [
        name
        for p in _load("provinces")
        for name in (p["id"], p["name_vi"], p["name_en"], *p.get("aliases", []))
    ]
    interests = sorted(
        {c for p in attractions for c in (*p.get("categories", []), *(p.get("tags") or []))}
    )
    return Names(
        places=tuple((n, pid) for n, pid, _ in unique),
        attractions=tuple((n, pid) for n, pid, kind in unique if kind == "attraction"),
        provinces=tuple(provinces),
        interests=tuple(interests),
    )


NAMES = _names()

# -- spellings --------------------------------------------------------------------------------


def fullwidth(text: str) -> str:
    """Return *text* with ASCII letters and digits as fullwidth forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


#: different spellings of one name that must resolve to the same place
SPELLINGS = (
    lambda s: s,
    lambda s: unicodedata.normalize("NFD", s),  # combining diacritics: "Ha\u0323 Long"
    fold,  # no diacritics
    str.upper,
    str.lower,
    fullwidth,
    lambda s: f"  {s.replace(' ', '   ')}\t",
)


@cache
def spelled(pairs: tuple[tuple[str, str], ...]) -> st.SearchStrategy[tuple[str, str]]:
    """(spelling, id) of a catalogue name, spelled any of the equivalent ways."""
    return st.tuples(st.sampled_from(pairs), st.sampled_from(SPELLINGS)).map(
        lambda t: (t[1](t[0][0]), t[0][1])
    )


#: strings that have broken parsers before: controls, bidi, surrogates, markup, huge
NASTY_TEXT = (
    "",
    " ",
    "\x00",
    "\n\r\t",
    "\ud800",
    "\u202eemag",
    "\ufeffHà Nội",
    "😀" * 3,
    "Z\u0351\u0353\u0350a\u0352\u034el\u0346g\u0350o",
    "İstanbul",
    "ß" * 10,
    "<script>alert(1)</script>",
    "'; DROP TABLE places; --",
    "%s%n%x",
    "{{7*7}}",
    "../../etc/passwd",
    "null",
    "NaN",
    "-Infinity",
    "1e999",
    "٣",
    "x" * (tr.MAX_NAME + 1),
)

# -- values from the schema -------------------------------------------------------------------


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def from_schema(prop: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values that satisfy the JSON schema *prop* (the subset the contract uses)."""
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    kind = prop["type"]
    if kind == "integer":
        return st.integers(prop.get("minimum"), prop.get("maximum"))
    if kind == "number":
        return st.floats(
            min_value=prop.get("exclusiveMinimum", prop.get("minimum")),
            max_value=prop.get("maximum"),
            exclude_min="exclusiveMinimum" in prop,
            allow_nan=False,
            allow_infinity=False,
        )
    if kind == "string":
        if prop.get("format") == "date":
            return st.dates().map(dt.date.isoformat)
        if "pattern" in prop:
            return st.from_regex(prop["pattern"], fullmatch=True)
        return st.text()
    if kind == "array":
        return st.lists(from_schema(prop["items"]))
    raise NotImplementedError(f"schema type {kind!r}")


@cache
def _within_product(name: str) -> st.SearchStrategy[Any]:
    """The schema's values for *name*, narrowed to the product's documented limits."""
    prop = PROPERTIES[name]
    if name in PRODUCT_LIMITS:
        lo, hi = PRODUCT_LIMITS[name]
        lo, hi = max(lo, prop.get("minimum", lo)), min(hi, prop.get("maximum", hi))
        return st.integers(lo, hi)
    if name == "time_limit_s":
        return from_schema({**prop, "maximum": tr.MAX_TIME_LIMIT_S})
    return from_schema(prop)


def _bounds(prop: dict[str, Any], name: str) -> tuple[int | None, int | None]:
    lo = prop.get("minimum")
    hi = prop.get("maximum")
    if name in PRODUCT_LIMITS:
        lo, hi = PRODUCT_LIMITS[name]
    return lo, hi


# -- valid requests ---------------------------------------------------------------------------

_INTERESTS = st.lists(
    st.tuples(
        st.sampled_from(NAMES.interests),
        st.sampled_from((str, str.upper, lambda s: s.replace("-", " "))),
    ).map(lambda t: t[1](t[0])),
    max_size=4,
)
_PICKS = st.lists(spelled(NAMES.attractions), max_size=8)
_PROVINCES = st.lists(st.sampled_from(NAMES.provinces), max_size=4)


@st.composite
def valid_requests(
    draw,
    *,
    max_days: int = tr.MAX_DAYS,
    max_groups: int = tr.MAX_GROUPS,
    time_limit: st.SearchStrategy[float] | None = None,
    fields: tuple[str, ...] = tuple(PROPERTIES),
    extra: bool = True,
) -> dict[str, Any]:
    """A request the contract and the product both accept.

    The ``expect`` key (removed before sending) holds the ids the names must resolve to.

    :param fields: the optional fields that may appear (the web form has fewer).
    :param time_limit: seconds of search when the request will really be solved.
    """
    first = dt.date(YEARS[0], 1, 1)
    last = dt.date(YEARS[1], 12, 31)
    start_date = draw(  # the schema's format: date, in the years the product plans
        st.dates(first, last) | st.sampled_from([dt.date(2027, 2, 4), dt.date(2028, 2, 29), last])
    )
    start, start_id = draw(spelled(NAMES.places))
    body: dict[str, Any] = {
        "start": start,
        "start_date": start_date.isoformat(),
        "days": draw(st.integers(1, min(max_days, PROPERTIES["days"]["maximum"]))),
    }
    expect: dict[str, Any] = {"start": start_id}
    chosen = draw(st.sets(st.sampled_from([f for f in OPTIONAL if f in fields])))
    for name in OPTIONAL:
        if name not in chosen:
            continue
        if name == "end":
            body["end"], expect["end"] = draw(spelled(NAMES.places))
        elif name in ("must_visit", "exclude"):
            picks = draw(_PICKS)
            taken = set(expect.get("must_visit", ())) if name == "exclude" else set()
            picks = [(n, pid) for n, pid in picks if pid not in taken]
            body[name] = [n for n, _ in picks]
            expect[name] = list(dict.fromkeys(pid for _, pid in picks))
        elif name == "provinces":
            body[name] = draw(_PROVINCES)
        elif name == "interests":
            body[name] = draw(_INTERESTS)
        elif name == "groups":
            body[name] = draw(st.integers(1, max_groups))
        elif name == "time_limit_s" and time_limit is not None:
            continue  # set below
        elif name in ("day_start", "day_end"):
            continue  # a pair, set below
        else:
            body[name] = draw(_within_product(name))
    if time_limit is not None:
        body["time_limit_s"] = draw(time_limit)
    # a day lasts at least 3 hours; the end not given keeps the schema's default
    latest_start = _minutes(PROPERTIES["day_end"]["default"]) - tr.MIN_DAY_MINUTES
    earliest_end = _minutes(PROPERTIES["day_start"]["default"]) + tr.MIN_DAY_MINUTES
    if {"day_start", "day_end"} <= chosen:
        begin = draw(st.integers(0, 24 * 60 - 1 - tr.MIN_DAY_MINUTES))
        body["day_start"] = _clock_text(begin)
        body["day_end"] = _clock_text(draw(st.integers(begin + tr.MIN_DAY_MINUTES, 24 * 60 - 1)))
    elif "day_start" in chosen:
        body["day_start"] = _clock_text(draw(st.integers(0, latest_start)))
    elif "day_end" in chosen:
        body["day_end"] = _clock_text(draw(st.integers(earliest_end, 24 * 60 - 1)))
    if extra:
        body.update(draw(unknown_fields()))
    body["expect"] = expect
    return body


@cache
def unknown_fields() -> st.SearchStrategy[dict[str, Any]]:
    """Fields the contract does not name (``additionalProperties: true``): ignored."""
    known = {*PROPERTIES, *UNDOCUMENTED, "expect"}
    return st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda k: k not in known),
        json_values(6, huge=False),
        max_size=3,
    )


def split(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (the request to send, the ids its names must resolve to)."""
    body = dict(body)
    return body, body.pop("expect", {})


# -- broken fields ----------------------------------------------------------------------------

_FLOAT_EDGES = st.sampled_from([math.nan, math.inf, -math.inf, -0.5, 0.5, 1e300, -1e300])
_HUGE_INTS = st.sampled_from([10**400, -(10**400), 2**63, 2**64 + 1, -(2**63) - 1])
_OBJECTS = st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=2)


def _not_int(text: str) -> bool:
    try:
        int(text.strip())
    except ValueError:
        return True
    return False


def _not_float(text: str) -> bool:
    try:
        value = float(text.strip())
    except ValueError:
        return True
    return not 0 < value <= tr.MAX_TIME_LIMIT_S


def _unknown_name() -> st.SearchStrategy[str]:
    return st.one_of(
        st.from_regex(r"Atlantis( [A-Z][a-z]{0,6})?", fullmatch=True),
        st.sampled_from(["Vinh Ha Lonh", "Qwzx", "hub-atlantis"]),
        huge_text,
    )


@cache
def bad_values(name: str) -> st.SearchStrategy[Any]:
    """Values of field *name* that the parser must refuse, naming *name*."""
    prop = PROPERTIES[name]
    required = name in REQUIRED
    blank = st.sampled_from([None, "", "   "] if required else ["   "])
    if name in ("start", "end"):
        wrong = (
            st.integers() | st.floats() | st.booleans() | st.lists(st.text(max_size=3)) | _OBJECTS
        )
        bad = wrong | _unknown_name()
        return bad | blank if required else bad
    if name == "start_date":
        texts = st.text(max_size=12).filter(
            lambda s: not re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", s)
        )
        return st.one_of(
            blank,
            st.integers(),
            st.floats(),
            st.booleans(),
            st.lists(st.integers(), max_size=3),
            texts,
            st.sampled_from(
                [
                    "2027-02-30",
                    "2027-13-01",
                    "2027-02-29",
                    "1999-12-31",
                    "2100-01-01",
                    "0001-01-01",
                    "06/02/2027",
                    "2027-2-6",
                    "20270206",
                    "2027-W06-6",
                    "2027-02-06T08:00",
                    "２０２７-02-06",
                    "2027-0٢-06",
                ]
            ),
            huge_text,
        )
    if name in ("day_start", "day_end"):
        texts = st.text(max_size=8).filter(
            lambda s: s != "" and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", s.strip())
        )
        return st.one_of(
            texts,
            st.integers(),
            st.floats(),
            st.booleans(),
            st.sampled_from(["25:00", "24:00", "8:00", "08:60", "08h00", "８:00", "-1:00"]),
            huge_text,
            # matches the schema's pattern, yet is no time of day
            st.tuples(st.integers(4, 9), st.integers(0, 59)).map(lambda t: f"2{t[0]}:{t[1]:02d}"),
        )
    if "enum" in prop:
        return st.one_of(
            st.text().filter(lambda s: s not in ("", *prop["enum"])),
            st.integers(),
            st.booleans(),
            st.lists(st.sampled_from(prop["enum"]), min_size=1, max_size=2),
            st.sampled_from([p.upper() for p in prop["enum"]]),
            huge_text,
        )
    if prop.get("type") == "array":
        unknown = (
            st.from_regex(r"zz-[a-z]{1,8}", fullmatch=True)
            if name == "interests"
            else _unknown_name()
        )
        return st.one_of(
            st.integers(),
            st.floats(),
            st.booleans(),
            _OBJECTS,
            st.lists(unknown, min_size=1, max_size=3),
            unknown,
            st.lists(st.integers() | st.none() | st.lists(st.text(max_size=2)), min_size=1),
            st.lists(st.just("x"), min_size=tr.MAX_LIST + 1, max_size=tr.MAX_LIST + 3),
        )
    if prop.get("type") == "integer":
        lo, hi = _bounds(prop, name)
        out = st.integers(max_value=lo - 1)
        if hi is not None:
            out = out | st.integers(min_value=hi + 1)
        return st.one_of(
            out,
            out.map(str),
            out.map(float),
            _HUGE_INTS,
            _HUGE_INTS.map(str),
            _FLOAT_EDGES,
            st.floats().filter(lambda v: not math.isfinite(v) or not v.is_integer()),
            st.booleans(),
            st.lists(st.integers(lo, hi or lo), min_size=1, max_size=2),
            _OBJECTS,
            st.text().filter(lambda s: s != "" and _not_int(s)),
        ) | (blank if required else st.nothing())
    if prop.get("type") == "number":
        return st.one_of(
            st.sampled_from([math.nan, math.inf, -math.inf, 0, 0.0, -0.0]),
            st.floats(max_value=0.0),
            st.floats(min_value=tr.MAX_TIME_LIMIT_S, exclude_min=True),
            st.integers(max_value=0),
            st.integers(min_value=int(tr.MAX_TIME_LIMIT_S) + 1),
            _HUGE_INTS,
            st.booleans(),
            st.lists(st.floats(1, 2), min_size=1, max_size=2),
            st.text().filter(lambda s: s != "" and _not_float(s)),
        )
    raise NotImplementedError(name)


@st.composite
def broken_requests(draw, fields: tuple[str, ...] = tuple(PROPERTIES), **kwargs) -> tuple:
    """(request, field): a valid request whose *field* alone is broken.

    Also breaks fields in relation to others: day_end less than three hours after day_start,
    and a place both required and excluded.
    """
    body, _ = split(draw(valid_requests(fields=fields, **kwargs)))
    field = draw(st.sampled_from(fields))
    relation = draw(st.booleans()) and field in ("day_end", "exclude")
    if relation and field == "day_end":
        begin = draw(st.integers(0, 23 * 60))
        body["day_start"] = _clock_text(begin)
        body["day_end"] = _clock_text(
            draw(st.integers(max(0, begin - 60), begin + tr.MIN_DAY_MINUTES - 1)) % (24 * 60)
        )
    elif relation and field == "exclude":
        (name, _), one, other = (
            draw(st.sampled_from(NAMES.attractions)),
            draw(st.sampled_from(SPELLINGS)),
            draw(st.sampled_from(SPELLINGS)),
        )
        body["must_visit"] = [one(name)]
        body["exclude"] = [other(name)]
    else:
        value = draw(bad_values(field))
        if value is None and field not in REQUIRED:
            value = "   "
        body[field] = value
    return body, field


# -- anything ---------------------------------------------------------------------------------


@cache
def json_values(max_leaves: int = 12, *, huge: bool = True) -> st.SearchStrategy[Any]:
    """Any JSON value, with the numbers JSON cannot carry too (NaN, ±Infinity, 10**400), and
    1 MB strings if *huge*."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        _HUGE_INTS,
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(NASTY_TEXT),
        huge_text if huge else st.nothing(),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


@cache
def any_field_value(name: str) -> st.SearchStrategy[Any]:
    """A value for field *name*: schema-valid, broken, nasty or any JSON at all."""
    options = [json_values(6, huge=False), st.sampled_from(NASTY_TEXT)]
    if name in PROPERTIES:
        options += [from_schema(PROPERTIES[name]), bad_values(name)]
    if name in ("start", "end"):
        options.append(spelled(NAMES.places).map(lambda t: t[0]))
    if name in ("must_visit", "exclude"):
        options.append(st.lists(spelled(NAMES.attractions).map(lambda t: t[0]), max_size=60))
    if name == "pins":
        ids = st.sampled_from([pid for _, pid in NAMES.places] + ["nope"])
        options.append(st.dictionaries(ids, st.integers(-2, 20) | json_values(2), max_size=4))
    if name == "quotas":
        names = spelled(NAMES.places).map(lambda t: t[0]) | st.text(max_size=5)
        options.append(st.dictionaries(names, st.integers(-2, 5) | json_values(2), max_size=4))
        options.append(st.just({f"place {i}": 1 for i in range(tr.MAX_LIST + 1)}))
    return st.one_of(options)


@st.composite
def any_requests(draw) -> Any:
    """Anything a client could send as a request: mostly objects under the contract's keys."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values(huge=False))
    keys = draw(
        st.sets(st.sampled_from((*PROPERTIES, *UNDOCUMENTED)) | st.text(max_size=6), max_size=12)
    )
    body = {key: draw(any_field_value(key)) for key in keys}
    if body and draw(st.integers(0, 9)) == 0:  # now and then a 1 MB value somewhere
        body[draw(st.sampled_from(sorted(body)))] = draw(huge_text)
    return body
