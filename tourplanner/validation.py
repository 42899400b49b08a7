"""One way to declare input: marshmallow schemas, whose errors become :class:`FieldError` items.

Every input shape (a tour request, a catalogue record, the network file) is a marshmallow
``Schema``. The schema parses and checks the values, and generates the OpenAPI and JSON Schema
documents (through apispec). :func:`field_errors` turns marshmallow's nested error messages
into the project's one error shape, each error naming its field by a dotted and indexed path
(``must_visit[2]``, ``pins.yen-tu``, ``links[ferry-1].timetable[0]``).

The fields here are the strict, JSON-minded field types the schemas share: a bool is never a
number, NaN is never a number, a whole number may arrive as text (forms, CLI), and each refusal
is a short reason in the words the tests and the user see: a :class:`~tourplanner.errors.Reason`
(a catalogue key ``reason.*`` with parameters, English as its text), written in the reader's
language when it is shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import marshmallow
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from tourplanner.errors import FieldError
from tourplanner.errors import Grouped
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.text import nfc

_DIGITS = re.compile(r"[+-]?[0-9]+")
#: whole numbers with more digits than this are out of every range (int() refuses 4,300 digits)
_MAX_DIGITS = 18


class Item(str):
    """An error key that names an item of a list by its id: ``links[ferry-1]``, not ``links.0``."""

    __slots__ = ()


def field_errors(messages: Any, prefix: str = "", root: str = "input") -> list[FieldError]:
    """Flatten marshmallow's error *messages* into :class:`FieldError` items.

    Keys become a path: a string key ``.key``, an int key (a list index) ``[i]``, an
    :class:`Item` key ``[id]``; ``_schema`` (an error of the whole object) names the object
    itself.

    :param prefix: the path of the object the messages are about (``attractions.json[12]``).
    :param root: the name of a top-level object when *prefix* is empty.
    """
    out: list[FieldError] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, str):
            out.append(FieldError(path or root, node))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, path)
        elif isinstance(node, Mapping):
            for key, sub in node.items():
                if key == "_schema":
                    walk(sub, path)
                elif isinstance(key, Item | int):
                    walk(sub, f"{path}[{key}]")
                else:
                    walk(sub, f"{path}.{key}" if path else str(key))
        else:
            out.append(FieldError(path or root, str(node)))

    walk(messages, prefix)
    return out


def load(
    schema: marshmallow.Schema, data: Any, prefix: str = "", root: str = "input"
) -> tuple[dict[str, Any], list[FieldError]]:
    """Load *data* through *schema*: the values that are valid, and an error for each bad field.

    The valid values come back even when some fields are bad, so that a later step (names
    against the catalogue, ids against the network) can report its errors in the same pass.
    """
    try:
        return schema.load(data), []
    except marshmallow.ValidationError as exc:
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        return valid, field_errors(exc.messages, prefix, root)


# -- validators ---------------------------------------------------------------------------------


class Between(validate.Range):
    """A numeric range with the project's wording; apispec reads its ``min`` and ``max``.

    ``must be between 1 and 14``; with no upper bound, or one too large to be a useful hint,
    ``must be at least 0`` / ``must be at most 1,000,000,000,000``; with an exclusive lower
    bound, ``must be more than 0 and at most 120``.
    """

    #: above this the upper bound is not worth reading out in the "between" form
    SAYABLE = 10**12

    def __call__(self, value: Any) -> Any:
        low = self.min is not None and (
            value < self.min if self.min_inclusive else value <= self.min
        )
        high = self.max is not None and value > self.max
        if not (low or high):
            return value
        at_least = Reason.of(N_("reason.at_least"), min=self.min)
        at_most = Reason.of(N_("reason.at_most"), max=Grouped(self.max))
        if not self.min_inclusive:
            reason = Reason.of(
                N_("reason.more_than_at_most"), min=f"{self.min:g}", max=f"{self.max:g}"
            )
        elif self.max is None:
            reason = at_least
        elif self.min is None:
            reason = at_most
        elif self.max < self.SAYABLE:
            reason = Reason.of(N_("reason.between"), min=self.min, max=Grouped(self.max))
        else:
            reason = at_least if low else at_most
        raise marshmallow.ValidationError(reason)


class MaxItems(validate.Length):
    """At most *max* items (or characters); the error says how many were sent.

    :param reason: the reason's key, naming what the items are: ``has 51 items; at most 50
        ...`` (``reason.too_many_items``) or ``has 51 places; ...``
        (``reason.too_many_places``).
    """

    def __init__(self, max: int, reason: str = N_("reason.too_many_items")) -> None:  # noqa: A002
        super().__init__(max=max, error=Reason.of(reason))

    def _format_error(self, value: Any, message: str) -> str:
        return (self.error or message).format(
            input=value, min=self.min, max=self.max, equal=self.equal, count=len(value)
        )


def max_length(limit: int) -> validate.Length:
    """At most *limit* characters: ``is longer than 200 characters``."""
    return validate.Length(max=limit, error=Reason.of(N_("reason.too_long")))


def one_of(choices: tuple[str, ...]) -> validate.OneOf:
    """One of *choices*: ``must be one of relaxed, normal, packed``."""
    return validate.OneOf(choices, error=Reason.of(N_("reason.one_of")))


# -- fields -------------------------------------------------------------------------------------

REQUIRED = Reason.of(N_("reason.required"))
_MESSAGES = {"required": REQUIRED, "null": REQUIRED}


class Text(fields.String):
    """Text, NFC-normalised; anything else is ``must be text``."""

    default_error_messages = {**_MESSAGES, "invalid": Reason.of(N_("reason.text"))}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return nfc(value)


class WholeNumber(fields.Integer):
    """A whole number: an int, an integral float (``3.0``) or the digits of one (``" 3 "``).

    A bool, a fraction, NaN or anything else is ``must be a whole number``.
    """

    default_error_messages = {
        **_MESSAGES,
        "invalid": Reason.of(N_("reason.whole_number")),
        "text": Reason.of(N_("reason.whole_number_not")),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str):
            text = value.strip()
            if _DIGITS.fullmatch(text) and len(text) > _MAX_DIGITS:
                return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS
            try:
                return int(text)
            except ValueError:
                raise self.make_error("text", text=repr(value[:20])) from None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class FiniteNumber(fields.Float):
    """A finite number (ints of any size compared exactly), or its text; returned as a float."""

    default_error_messages = {
        **_MESSAGES,
        "invalid": Reason.of(N_("reason.finite_number")),
        "text": Reason.of(N_("reason.number_not")),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise self.make_error("text", text=repr(value[:20])) from None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            # an int is always finite; math.isfinite() would overflow on a huge one
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise self.make_error("invalid")
        return value  # an int stays exact until the validators have compared it

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any):
        out = super().deserialize(value, attr, data, **kwargs)
        return float(out) if isinstance(out, int | float) else out


class Choice(fields.String):
    """One of a few words; give ``validate=one_of(...)``. A value of any type that is not one
    of them is refused by that validator, with the choices in the reason."""

    default_error_messages = dict(_MESSAGES)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return value


class NameList(fields.List):
    """A list of names (or, from a form or the CLI, one text of comma-separated names).

    Every item keeps its position: a blank item is ``None``, and so is a bad one, whose error
    is keyed by its index (``must_visit[2]``). Give ``validate=MaxItems(...)``: the bound is
    checked before the items, so a long list costs no more than its length.
    """

    default_error_messages = {**_MESSAGES, "invalid": Reason.of(N_("reason.name_list"))}

    def __init__(self, *, max_name: int, **kwargs: Any) -> None:
        inner = Text(
            validate=max_length(max_name), error_messages={"null": Reason.of(N_("reason.text"))}
        )
        super().__init__(inner, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            raise self.make_error("invalid")
        self._validate(value)
        out: list[str | None] = []
        errors: dict[int, Any] = {}
        for i, item in enumerate(value):
            try:
                name = self.inner.deserialize(item, **kwargs)
            except marshmallow.ValidationError as exc:
                errors[i] = exc.messages
                name = None
            out.append(name if name and name.strip() else None)
        if errors:
            raise marshmallow.ValidationError(errors, valid_data=out)
        return out


class KeyedMap(fields.Dict):
    """An object of entries checked after the schema (against the catalogue, say): here only
    its shape and size. A falsy value (``null``, ``0``, ``""``, ``[]``) is an empty one."""

    default_error_messages = {**_MESSAGES, "invalid": Reason.of(N_("reason.object"))}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not value:
            return {}
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        self._validate(value)
        return dict(value)


# -- stored text, clock times, lenient flags: the catalogue's field types ----------------------

#: the longest free text a record may hold (descriptions, notes, citations)
MAX_TEXT = 4000
#: the default longest item of a :class:`TextList` (a name)
MAX_ITEM = 200
#: separates the items of a list in a CSV cell
LIST_SEPARATOR = "|"
CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")
MISSING = Reason.of(N_("reason.missing"))
_MISSING = {"required": MISSING, "null": MISSING}
#: control characters (tab, line feed and carriage return are checked separately) and lone
#: surrogates, which no database column can store (PostgreSQL refuses NUL outright)
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: line breaks: tab, LF, CR, and the ones Python's splitlines and lenient readers also break
#: on (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR), which would split a one-line name
_LINE_BREAK = re.compile("[\t\n\r\x85\u2028\u2029]")


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


def text_problem(value: str, *, limit: int = MAX_TEXT, multiline: bool = False) -> Reason | None:
    """Return why *value* cannot be stored as text (in a database, an export, one line of a
    calendar), or ``None`` if it can."""
    if len(value) > limit:
        return Reason.of(N_("reason.too_long"), max=limit)
    bad = _BAD_CHAR.search(value)
    if bad:
        char = bad.group()
        if "\ud800" <= char <= "\udfff":
            return Reason.of(N_("reason.lone_surrogate"), code=f"{ord(char):04X}")
        return Reason.of(N_("reason.control_character"), code=f"{ord(char):04X}")
    if not multiline and _LINE_BREAK.search(value.strip()):
        return Reason.of(N_("reason.one_line"))
    return None


class OutOfRange(validate.Range):
    """``min..max`` inclusive: ``5000 is out of range (0..1440)``; with *what* (a
    :class:`Reason` naming the value), ``95 is out of range: latitude must be between 19.0 and
    23.5``."""

    def __init__(self, low: float, high: float, what: Reason | None = None) -> None:
        super().__init__(low, high)
        self.what = what

    def __call__(self, value: Any) -> Any:
        if self.min <= value <= self.max:
            return value
        # str() of an int of thousands of digits raises; no bound is near that
        huge = isinstance(value, int) and value.bit_length() > 1000
        text = Reason.of(N_("reason.huge_number")) if huge else value
        if self.what:
            raise ValidationError(
                Reason.of(
                    N_("reason.out_of_range_what"),
                    value=text,
                    what=self.what,
                    min=self.min,
                    max=self.max,
                )
            )
        raise ValidationError(
            Reason.of(N_("reason.out_of_range"), value=text, min=self.min, max=self.max)
        )


class StoredText(fields.String):
    """Text a database column can store, NFC: at most *limit* characters, no control
    character (see :func:`text_problem`), on one line unless *multiline*. Not given is ``""``
    (or, *required*, ``is missing``); anything but text is ``must be text, not int``."""

    default_error_messages = _MISSING

    def __init__(self, limit: int = MAX_TEXT, *, multiline: bool = False, **kwargs: Any) -> None:
        self.limit, self.multiline = limit, multiline
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", "")
        extra = kwargs.pop("validate", None)
        length = validate.Length(max=limit, error=Reason.of(N_("reason.too_long")))
        super().__init__(validate=[length, *([extra] if extra else [])], **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(Reason.of(N_("reason.text_not"), type=type(value).__name__))
        problem = text_problem(value, limit=self.limit, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return nfc(value)


class TextList(fields.List):
    """One-line texts (in a CSV cell joined by ``|``, which no item may hold); blank items are
    dropped, and not given (or empty) is none."""

    default_error_messages = {**_MISSING, "invalid": Reason.of(N_("reason.text_list"))}

    def __init__(self, limit: int = MAX_ITEM, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(StoredText(limit), load_default=(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not value:
            return ()
        if isinstance(value, str):
            value = value.split(LIST_SEPARATOR)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.make_error("invalid")
        errors: dict[int, list[Reason]] = {}
        for i, item in enumerate(value):
            problem = text_problem(item, limit=self.limit)
            if problem is None and LIST_SEPARATOR in item:
                problem = Reason.of(N_("reason.no_separator"), separator=repr(LIST_SEPARATOR))
            if problem:
                errors[i] = [problem]
        if errors:
            raise ValidationError(errors)
        return tuple(nfc(item) for item in value if item.strip())


class Words(fields.List):
    """A list of words among *choices*; anything else is *reason* (a :class:`Reason`)."""

    def __init__(self, choices: tuple[str, ...], reason: Reason, **kwargs: Any) -> None:
        self.choices = choices
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", ())
        messages = {"required": reason, "null": reason, "invalid": reason}
        inner = fields.String(metadata={"enum": list(choices)})
        super().__init__(inner, error_messages=messages, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not value and not self.required:
            return ()
        if not isinstance(value, list) or not value or any(v not in self.choices for v in value):
            raise self.make_error("invalid")
        return tuple(value)


class Word(fields.String):
    """One of *choices*, or (any empty value) none."""

    def __init__(self, choices: tuple[str, ...], *, or_empty: bool = False, **kwargs: Any):
        self.choices = choices
        key = N_("reason.one_of_or_empty") if or_empty else N_("reason.one_of")
        self.reason = Reason.of(key, choices=", ".join(choices))
        super().__init__(
            load_default=None, allow_none=True, metadata={"enum": [*choices, None]}, **kwargs
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        if not isinstance(value, str) or value not in self.choices:
            raise ValidationError(self.reason)
        return value


class Flag(fields.Boolean):
    """true or false (in a CSV cell also 1/0, yes/no); not given is false."""

    default_error_messages = dict.fromkeys(("invalid", "null"), Reason.of(N_("reason.true_false")))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word in ("true", "1", "yes", "false", "0", "no"):
            return word in ("true", "1", "yes")
        raise self.make_error("invalid")


class Clock(fields.String):
    """``HH:MM`` (``24:00`` allowed), as minutes after midnight."""

    default_error_messages = dict.fromkeys(
        ("required", "null"), Reason.of(N_("reason.missing_clock"))
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"pattern": CLOCK.pattern}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        minutes = parse_clock(value)
        if minutes is None:
            raise ValidationError(Reason.of(N_("reason.malformed_clock"), value=shown(value)))
        return minutes


class Clocks(fields.List):
    """Increasing ``HH:MM`` times without repeats, as minutes; not given is none."""

    default_error_messages = {"invalid": Reason.of(N_("reason.clock_list"))}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Clock(), load_default=(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not value:
            return ()
        out = super()._deserialize(value, attr, data, **kwargs)
        if out != sorted(set(out)):
            raise ValidationError(Reason.of(N_("reason.increasing")))
        return tuple(out)


class Objects(fields.List):
    """A list of objects loaded by *schema*, errors keyed by index; not given is none."""

    def __init__(self, schema: type[marshmallow.Schema], reason: Reason, **kwargs: Any) -> None:
        item = fields.Nested(schema, error_messages={"null": schema.error_messages["type"]})
        super().__init__(item, load_default=(), error_messages={"invalid": reason}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        return tuple(super()._deserialize(value, attr, data, **kwargs)) if value else ()


# -- the documents ------------------------------------------------------------------------------


def json_schema_bounds(self: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """An apispec attribute function: the bounds apispec itself gets wrong.

    An exclusive lower bound (``Range(min_inclusive=False)``) is ``exclusiveMinimum``, not
    ``minimum``; the size of an object is ``maxProperties``, not ``maxLength``. Register it with
    ``MarshmallowPlugin.converter.add_attribute_function``.
    """
    out: dict[str, Any] = {}
    for validator in field.validators:
        if isinstance(validator, validate.Range) and not validator.min_inclusive:
            ret.pop("minimum", None)
            out["exclusiveMinimum"] = validator.min
    if isinstance(field, fields.Dict) and "maxLength" in ret:
        out["maxProperties"] = ret.pop("maxLength")
    return out
