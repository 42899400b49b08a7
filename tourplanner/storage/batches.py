"""Tables of batches and their products (created by migration 0005)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tourplanner.storage.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class BatchRow(Base):
    """An uploaded batch of tour products, optionally re-planned under a network scenario."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: a scenario of the travel network (``None``: the network as it is)
    scenario: Mapped[str | None] = mapped_column(String(64))
    #: the batch this one re-plans (scenario comparisons)
    base_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: the agency that uploaded it (``None``: made from the command line, shared)
    agency_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("agencies.id", name="fk_batches_agency_id"), index=True
    )


class BatchItemRow(Base):
    """One product of a batch: its spec, its job and, once planned, its itinerary.

    ``(batch_id, row)`` is unique and ``itinerary_id`` is set once, in the same transaction
    that saves the itinerary: a retried job finds it set and saves nothing again.
    """

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "row", name="uq_batch_items_batch_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), ForeignKey("batches.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    #: the checked TourRequest (``TourRequest.to_dict``), or the raw row when it was invalid
    request: Mapped[dict] = mapped_column(JSON)
    #: bad fields of an invalid row: ``[{"field", "reason"}]`` (empty for good rows)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    job_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("jobs.id"))
    itinerary_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("itineraries.id"))
