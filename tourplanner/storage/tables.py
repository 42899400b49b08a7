"""Database tables. The schema itself is created and changed only by Alembic migrations."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tourplanner.storage.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class ProvinceRow(Base):
    """A provincial unit: current (2025) or former (merged into a current one)."""

    __tablename__ = "provinces"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[str | None] = mapped_column(String(64), ForeignKey("provinces.id"))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[dict] = mapped_column(JSON, default=dict)


class PlaceRow(Base):
    """An attraction, an overnight hub or a gateway. Kind-specific fields may be null."""

    __tablename__ = "places"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    province_id: Mapped[str] = mapped_column(String(64), ForeignKey("provinces.id"), index=True)
    former_province_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("provinces.id"), index=True
    )
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    visit_minutes: Mapped[int | None] = mapped_column(Integer)
    min_visit_minutes: Mapped[int | None] = mapped_column(Integer)
    opening_hours: Mapped[list] = mapped_column(JSON, default=list)
    closed_dates: Mapped[list] = mapped_column(JSON, default=list)
    ticket: Mapped[dict | None] = mapped_column(JSON)
    value: Mapped[int | None] = mapped_column(Integer)
    unesco: Mapped[bool] = mapped_column(Boolean, default=False)
    heritage_rank: Mapped[str | None] = mapped_column(String(32))
    festivals: Mapped[list] = mapped_column(JSON, default=list)
    access: Mapped[dict | None] = mapped_column(JSON)
    hub_type: Mapped[str | None] = mapped_column(String(16))
    lodging: Mapped[dict | None] = mapped_column(JSON)
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[dict] = mapped_column(JSON, default=dict)
    uncertain: Mapped[list] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    value_basis: Mapped[dict | None] = mapped_column(JSON)
    part_of: Mapped[str | None] = mapped_column(String(80))
    product: Mapped[dict | None] = mapped_column(JSON)
    lodging_tiers: Mapped[dict | None] = mapped_column(JSON)
    cruise: Mapped[dict | None] = mapped_column(JSON)


class ItineraryRow(Base):
    """A saved itinerary: the contract JSON under an unguessable id; never changed once saved."""

    __tablename__ = "itineraries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("itineraries.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    start_date: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    cost_per_person_vnd: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)


class JobRow(Base):
    """A background job (a long solve, a batch product) and its progress, visible to any process."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    result_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# every table of the app on Base.metadata, for the migrations and their tests
from tourplanner.storage import agencies as _agencies  # noqa: E402, F401
from tourplanner.storage import batches as _batches  # noqa: E402, F401
