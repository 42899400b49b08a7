"""Reading JSON request bodies strictly: anything a client can send is a 400, never a 500."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_

MAX_DEPTH = 20


def _bad(reason: Reason) -> ValidationError:
    return ValidationError([FieldError("body", reason)])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _bad(Reason.of(N_("reason.nested_too_deep"), levels=MAX_DEPTH))
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(Reason.of(N_("reason.number_too_large")))
    if isinstance(value, dict):
        for item in value.values():
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def json_object() -> dict[str, Any]:
    """Return the request's JSON body, which must be an object.

    :raise ValidationError: wrong content type, malformed JSON, NaN or Infinity, numbers that
        overflow, nesting deeper than :data:`MAX_DEPTH`, or not an object.
    """
    if not request.is_json:
        raise _bad(Reason.of(N_("reason.send_json")))
    raw = request.get_data(cache=True)  # over the size limit: 413 from werkzeug
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise _bad(Reason.of(N_("reason.not_json"), detail=str(exc)[:120])) from None
    if not isinstance(data, dict):
        raise _bad(Reason.of(N_("reason.json_object")))
    _check(data)
    return data
