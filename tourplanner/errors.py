"""The error hierarchy: every error a user can cause has a stable code and an HTTP status."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tourplanner.i18n import format_number
from tourplanner.i18n import translations

#: the language a reason is written in when no one asked for another (its ``str`` value)
REASON_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Grouped:
    """A number in a reason that is written with the locale's digit grouping when the reason
    is rendered: ``1,000,000`` in English, ``1.000.000`` in Vietnamese."""

    value: int | float

    def render(self, lang: str) -> str:
        """The number in *lang*'s format."""
        return format_number(self.value, lang)


class _Keep(dict):
    """Format values that leave a missing ``{name}`` as it is (filled in later by ``format``)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render_reason(key: str, params: Mapping[str, Any], lang: str) -> str:
    """The message *key* of the catalogue of *lang* with *params* filled in: a
    :class:`Grouped` number in the locale's format, a nested :class:`Reason` in *lang*."""
    values = {
        name: value.render(lang)
        if isinstance(value, Grouped)
        else value.in_(lang)
        if isinstance(value, Reason)
        else value
        for name, value in params.items()
    }
    return translations(lang).gettext(key).format_map(_Keep(values))


class Reason(str):
    """Why a field is bad, as a catalogue key with parameters; its ``str`` value is the English
    rendering, so comparing it with English text keeps working.

    ``Reason.of(N_("reason.between"), min=1, max=Grouped(14))`` is ``"must be between 1 and
    14"``; ``.in_("vi")`` is ``"phải từ 1 đến 14"``. A parameter not given stays ``{name}``
    and ``format(name=...)`` fills it, so a reason works as a marshmallow error message
    (marshmallow formats its messages with the field's values).
    """

    key: str
    params: dict[str, Any]

    @classmethod
    def of(cls, key: str, **params: Any) -> Reason:
        """The reason *key* with *params*, rendered in English as its ``str`` value."""
        reason = super().__new__(cls, render_reason(key, params, REASON_LANGUAGE))
        reason.key = key
        reason.params = params
        return reason

    def in_(self, lang: str | None) -> str:
        """The reason written in *lang* (English when None)."""
        if not lang or lang == REASON_LANGUAGE:
            return str(self)
        return render_reason(self.key, self.params, lang)

    def format(self, *args: Any, **kwargs: Any) -> Reason:  # type: ignore[override]
        """The same reason with the parameters its message names taken from *kwargs*."""
        names = _placeholders(translations(REASON_LANGUAGE).gettext(self.key))
        given = {k: v for k, v in kwargs.items() if k in names and k not in self.params}
        return Reason.of(self.key, **self.params, **given) if given else self

    def to_dict(self) -> dict[str, Any]:
        """The key and parameters (JSON), to be rendered later: :meth:`from_dict`."""
        grouped = sorted(k for k, v in self.params.items() if isinstance(v, Grouped))
        params = {
            k: v.value if isinstance(v, Grouped) else v.to_dict() if isinstance(v, Reason) else v
            for k, v in self.params.items()
        }
        body: dict[str, Any] = {"key": self.key, "params": params}
        if grouped:
            body["grouped"] = grouped
        return body

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> Reason:
        """The reason :meth:`to_dict` wrote."""
        grouped = set(body.get("grouped", ()))
        params = {
            k: Grouped(v)
            if k in grouped
            else cls.from_dict(v)
            if isinstance(v, Mapping) and "key" in v
            else v
            for k, v in body.get("params", {}).items()
        }
        return cls.of(body["key"], **params)


def reason_in(reason: str, lang: str | None) -> str:
    """*reason* in *lang* when it is a :class:`Reason`; a plain text as it is."""
    return reason.in_(lang) if isinstance(reason, Reason) else reason


def stored_error(field: str, reason: str) -> dict[str, Any]:
    """A field error as JSON to store: ``{"field", "reason"}`` (English) and, for a
    :class:`Reason`, its ``key`` and ``params``, so that it is written in the language of
    whoever reads it later (:func:`stored_reason`)."""
    body: dict[str, Any] = {"field": field, "reason": str(reason)}
    if isinstance(reason, Reason):
        body.update(reason.to_dict())
    return body


def stored_reason(error: Mapping[str, Any], lang: str | None) -> str:
    """The reason of a :func:`stored_error` in *lang* (one stored before reasons had keys: as
    it was written)."""
    if "key" in error:
        return Reason.from_dict(error).in_(lang)
    return str(error.get("reason", ""))


def stored_message(error: Mapping[str, Any], lang: str | None) -> dict[str, Any]:
    """A stored error (:meth:`TourplannerError.stored`) as the JSON error shape, its message in
    *lang*; one stored without a reason as it was written."""
    body = {k: v for k, v in error.items() if k != "reason"}
    if isinstance(error.get("reason"), Mapping):
        body["message"] = Reason.from_dict(error["reason"]).in_(lang)
    return body


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad input field and the reason, in words a user understands (a :class:`Reason`,
    rendered in the reader's language, or a plain text)."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def reason_in(self, lang: str | None) -> str:
        """The reason in *lang* (English when None)."""
        return reason_in(self.reason, lang)

    def text_in(self, lang: str | None) -> str:
        """``field: reason`` with the reason in *lang*."""
        return f"{self.field}: {self.reason_in(lang)}"


class TourplannerError(Exception):
    """Base of the errors tourplanner reports to users (never a traceback)."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """Return the JSON error shape ``{"error", "message"}``, a message that is a
        :class:`Reason` written in *lang* (English when None)."""
        return {"error": self.code, "message": reason_in(self.message, lang)}

    def stored(self) -> dict[str, Any]:
        """The error as JSON to store (a failed job's): :meth:`to_dict` in English and, for
        a message that is a :class:`Reason`, its key and parameters under ``"reason"``, so
        that whoever reads it later reads it in their language (:func:`stored_message`)."""
        body: dict[str, Any] = dict(self.to_dict())
        if isinstance(self.message, Reason):
            body["reason"] = self.message.to_dict()
        return body


class ValidationError(TourplannerError):
    """Bad input: one or more fields, each with its reason."""

    code = "invalid_input"
    http_status = 400
    exit_code = 2

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        if not errors:
            raise ValueError("ValidationError needs at least one FieldError")
        self.errors = list(errors)
        self._own_message = message is not None
        super().__init__(message or "; ".join(str(e) for e in self.errors))

    def message_in(self, lang: str | None) -> str:
        """The message with every reason in *lang* (a message given by hand as it is)."""
        if self._own_message:
            return self.message
        return "; ".join(e.text_in(lang) for e in self.errors)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """The JSON error shape with ``fields``, each reason in *lang* (English when None)."""
        return {
            "error": self.code,
            "message": self.message_in(lang),
            "fields": {e.field: e.reason_in(lang) for e in self.errors},
        }


class NotFound(TourplannerError):
    """A named thing (place, itinerary, province) does not exist."""

    code = "not_found"
    http_status = 404
    exit_code = 2


class PlanningFailed(TourplannerError):
    """The request is valid but no feasible tour exists; the message says why."""

    code = "no_feasible_tour"
    http_status = 422
    exit_code = 3


class UpstreamError(TourplannerError):
    """A service we depend on (OSRM, Redis, the database) failed or timed out."""

    code = "upstream_unavailable"
    http_status = 503
    exit_code = 4


class QueueUnavailable(UpstreamError):
    """The job queue (Redis) does not answer: nothing was started."""

    code = "queue_unavailable"


class DatabaseUnavailable(UpstreamError):
    """The database does not answer (refused, dropped or timed out connections)."""

    code = "database_unavailable"
