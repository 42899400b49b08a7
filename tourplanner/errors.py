"""The error hierarchy: every error a user can cause has a stable code and an HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad input field and the reason, in words a user understands."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class TourplannerError(Exception):
    """Base of the errors tourplanner reports to users (never a traceback)."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """Return the JSON error shape ``{"error", "message"}``."""
        return {"error": self.code, "message": self.message}


class ValidationError(TourplannerError):
    """Bad input: one or more fields, each with its reason."""

    code = "invalid_input"
    http_status = 400
    exit_code = 2

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        if not errors:
            raise ValueError("ValidationError needs at least one FieldError")
        self.errors = list(errors)
        super().__init__(message or "; ".join(str(e) for e in self.errors))

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        body["fields"] = {e.field: e.reason for e in self.errors}
        return body


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
