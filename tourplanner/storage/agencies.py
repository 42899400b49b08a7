"""Tables of the JSON API: agencies, their API keys, the catalogue audit log, which agency owns
an itinerary or job planned through the API, and the per-key rate-limit windows.

The schema is created by migration ``0004``; these classes only describe it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tourplanner.storage.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class AgencyRow(Base):
    """A tourism agency: the owner of API keys and of the itineraries they plan."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: terms of its quotes and identity of its tour programmes (migration 0008; ``None``:
    #: not set, see :class:`tourplanner.services.quote.Terms` for what that means)
    guide_vnd_per_day: Mapped[int | None] = mapped_column(Integer)
    markup_pct: Mapped[float | None] = mapped_column(Float)
    vat_pct: Mapped[float | None] = mapped_column(Float)
    contact: Mapped[str | None] = mapped_column(String(500))
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)


class ApiKeyRow(Base):
    """An API key. Only the SHA-256 of the token is stored; ``prefix`` identifies it to people."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(32), ForeignKey("agencies.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One catalogue change made through the API: who, when, which place, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    agency_id: Mapped[str] = mapped_column(String(32), ForeignKey("agencies.id"))
    key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.id"))
    place_id: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class ApiItineraryRow(Base):
    """The agency that planned an itinerary through the API; private ones are theirs alone."""

    __tablename__ = "api_itineraries"

    itinerary_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("itineraries.id"), primary_key=True
    )
    agency_id: Mapped[str] = mapped_column(String(32), ForeignKey("agencies.id"), index=True)
    private: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiJobRow(Base):
    """The agency that submitted a background plan job through the API."""

    __tablename__ = "api_jobs"

    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(32), ForeignKey("agencies.id"))
    private: Mapped[bool] = mapped_column(Boolean, default=True)


class RateWindowRow(Base):
    """Requests counted for one key in one fixed window (``window_start`` in epoch seconds)."""

    __tablename__ = "api_rate_windows"

    key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.id"), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class IdempotencyRow(Base):
    """A request that created a batch, by its ``Idempotency-Key`` and the agency that sent it;
    ``fingerprint`` is the SHA-256 of its body (the same key with another body is refused)."""

    __tablename__ = "api_idempotency"

    agency_id: Mapped[str] = mapped_column(String(32), ForeignKey("agencies.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("batches.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
