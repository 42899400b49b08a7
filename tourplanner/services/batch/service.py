"""Batches in the database: create one from a parsed file, run its products, read its state.

Each good product is a ``batch_product`` job. The job's handler saves the itinerary and links
it to the product in one transaction, guarded by ``itinerary_id IS NULL``: a job that is
retried (its worker died) or run twice never saves a second itinerary for the same row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.errors import stored_error
from tourplanner.errors import stored_reason
from tourplanner.i18n import N_
from tourplanner.jobs import runner as jobs
from tourplanner.planning import plan
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.batch.spec import BatchSpec
from tourplanner.services.itineraries import new_id
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.batches import BatchItemRow
from tourplanner.storage.batches import BatchRow
from tourplanner.storage.tables import ItineraryRow
from tourplanner.storage.tables import JobRow
from tourplanner.text import url_token
from tourplanner.travel.network import default_network

JOB_KIND = "batch_product"
#: product states: not run (bad row), waiting, solving, planned, no tour / error
INVALID, QUEUED, RUNNING, DONE, FAILED = "invalid", "queued", "running", "done", "failed"


@dataclass(frozen=True, slots=True)
class ItemView:
    """One product of a batch as the pages, exports and reports see it."""

    row: int
    name: str
    status: str
    request: dict[str, Any]
    errors: list[dict[str, str]]
    progress: dict[str, Any]
    error: dict[str, Any] | None
    itinerary_id: str | None
    itinerary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class BatchView:
    """A batch with all its products."""

    id: str
    name: str
    scenario: str | None
    base_id: str | None
    created_at: str
    items: tuple[ItemView, ...] = field(default_factory=tuple)

    @property
    def counts(self) -> dict[str, int]:
        """How many products are in each state."""
        out = dict.fromkeys((INVALID, QUEUED, RUNNING, DONE, FAILED), 0)
        for item in self.items:
            out[item.status] += 1
        return out

    @property
    def finished(self) -> bool:
        """Whether no product is waiting or running."""
        counts = self.counts
        return counts[QUEUED] == 0 and counts[RUNNING] == 0

    @property
    def runnable(self) -> int:
        """How many products are planned (everything but bad rows)."""
        return len(self.items) - self.counts[INVALID]


def check_scenario(scenario: str | None) -> str | None:
    """Return *scenario* when the network knows it.

    :raise ValidationError: for an unknown scenario name.
    """
    if not scenario:
        return None
    known = sorted(default_network().scenarios)
    if scenario not in known:
        raise ValidationError(
            [
                FieldError(
                    "scenario", Reason.of(N_("reason.unknown_scenario"), known=", ".join(known))
                )
            ]
        )
    return scenario


def create_batch(
    session: Session,
    name: str,
    spec: BatchSpec,
    *,
    scenario: str | None = None,
    base_id: str | None = None,
    agency_id: str | None = None,
) -> str:
    """Store a batch from *spec* and start a job per good product; return the batch id.

    :param agency_id: the owner (only that agency sees it in the workspace; ``None``: shared).
    """
    scenario = check_scenario(scenario)
    jobs.check_queue()  # no half-started batch when the job queue is down
    batch_id = url_token(12)
    session.add(
        BatchRow(
            id=batch_id,
            name=name[:200] or batch_id,
            scenario=scenario,
            base_id=base_id,
            agency_id=agency_id,
        )
    )
    session.flush()
    errors_by_row: dict[int, list[dict[str, Any]]] = {}
    for error in spec.errors:
        # with the reason's key: the page and the API write it in their reader's language
        errors_by_row.setdefault(error.row, []).append(stored_error(error.field, error.reason))
    for row, row_name, raw in spec.invalid:
        session.add(
            BatchItemRow(
                batch_id=batch_id,
                row=row,
                name=row_name,
                request=raw,
                errors=errors_by_row.get(row, []),
            )
        )
    job_ids = []
    for product in spec.products:
        job_id = jobs.create_job(session, JOB_KIND, {"batch_id": batch_id, "row": product.row})
        job_ids.append(job_id)
        session.add(
            BatchItemRow(
                batch_id=batch_id,
                row=product.row,
                name=product.name,
                request=product.request.to_dict(),
                errors=[],
                job_id=job_id,
            )
        )
    session.commit()
    jobs.enqueue(current_app.extensions["tourplanner.storage.db"], job_ids)
    return batch_id


def replan_batch(session: Session, batch_id: str, scenario: str | None) -> str:
    """Re-plan every good product of batch *batch_id* under *scenario*; return the new batch."""
    from tourplanner.services.batch.spec import Product

    base = load_batch(session, batch_id)
    catalogue = get_catalogue()
    products = []
    for item in base.items:
        if item.status != INVALID:
            products.append(
                Product(item.row, item.name, parse_tour_request(item.request, catalogue))
            )
    spec = BatchSpec(tuple(products), (), ())
    label = scenario or "as is"
    owner = session.get(BatchRow, batch_id).agency_id
    return create_batch(
        session,
        f"{base.name} · {label}",
        spec,
        scenario=scenario,
        base_id=batch_id,
        agency_id=owner,
    )


def _status(item: BatchItemRow, job: JobRow | None) -> str:
    if item.itinerary_id:
        return DONE
    if item.job_id is None:
        return INVALID
    if job is None:
        return QUEUED
    return {jobs.QUEUED: QUEUED, jobs.RUNNING: RUNNING, jobs.DONE: DONE}.get(job.status, FAILED)


def load_batch(
    session: Session, batch_id: str, *, bodies: bool = True, lang: str | None = None
) -> BatchView:
    """Return batch *batch_id* with its products (and their itineraries when *bodies*).

    :param lang: the language of the bad rows' reasons (English when None).

    :raise NotFound: when there is no such batch.
    """
    batch = session.get(BatchRow, batch_id) if len(batch_id) <= 32 else None
    if batch is None:
        raise NotFound(Reason.of(N_("reason.not_found.batch"), id=repr(batch_id)))
    rows = session.scalars(
        select(BatchItemRow).where(BatchItemRow.batch_id == batch_id).order_by(BatchItemRow.row)
    ).all()
    job_ids = [r.job_id for r in rows if r.job_id]
    jobs_by_id = (
        {j.id: j for j in session.scalars(select(JobRow).where(JobRow.id.in_(job_ids)))}
        if job_ids
        else {}
    )
    itinerary_ids = [r.itinerary_id for r in rows if r.itinerary_id]
    itineraries: dict[str, dict[str, Any]] = {}
    if bodies and itinerary_ids:
        for it in session.scalars(select(ItineraryRow).where(ItineraryRow.id.in_(itinerary_ids))):
            itineraries[it.id] = {**it.body, "id": it.id}
    items = []
    for r in rows:
        job = jobs_by_id.get(r.job_id) if r.job_id else None
        status = _status(r, job)
        items.append(
            ItemView(
                row=r.row,
                name=r.name,
                status=status,
                request=dict(r.request or {}),
                errors=[
                    {"field": e.get("field", ""), "reason": stored_reason(e, lang)}
                    for e in r.errors or []
                ],
                progress=dict(job.progress or {}) if job else {},
                error=job.error if job is not None and status == FAILED else None,
                itinerary_id=r.itinerary_id,
                itinerary=itineraries.get(r.itinerary_id) if r.itinerary_id else None,
            )
        )
    return BatchView(
        id=batch.id,
        name=batch.name,
        scenario=batch.scenario,
        base_id=batch.base_id,
        created_at=batch.created_at.isoformat(timespec="seconds"),
        items=tuple(items),
    )


def list_batches(
    session: Session, limit: int = 50, *, agency_id: str | None = None
) -> list[BatchRow]:
    """The newest batches first: those of *agency_id* and the shared ones (no owner)."""
    query = select(BatchRow)
    if agency_id is not None:
        query = query.where(or_(BatchRow.agency_id == agency_id, BatchRow.agency_id.is_(None)))
    return list(session.scalars(query.order_by(BatchRow.created_at.desc()).limit(limit)))


def visible_to(session: Session, batch_id: str, agency_id: str) -> bool:
    """Tell whether agency *agency_id* may see batch *batch_id* (its own, or a shared one)."""
    batch = session.get(BatchRow, batch_id) if len(batch_id) <= 32 else None
    return batch is not None and batch.agency_id in (None, agency_id)


def save_product(session: Session, batch_id: str, row: int, itinerary: Itinerary) -> str:
    """Save *itinerary* as the result of product (*batch_id*, *row*), exactly once.

    The itinerary row and the product's link are written in one transaction, and the link is
    only set while it is still empty; when another run got there first, nothing is written
    and its itinerary id is returned.
    """
    itinerary_id = new_id()
    body = {**itinerary.to_dict(), "id": itinerary_id}
    session.add(
        ItineraryRow(
            id=itinerary_id,
            parent_id=None,
            start_date=str(body["request"].get("start_date", "")),
            days=len({d["date"] for d in body["days"]}),
            value=body["summary"]["value"],
            cost_per_person_vnd=body["summary"]["cost_vnd"],
            body=body,
        )
    )
    session.flush()
    claimed = session.execute(
        update(BatchItemRow)
        .where(
            BatchItemRow.batch_id == batch_id,
            BatchItemRow.row == row,
            BatchItemRow.itinerary_id.is_(None),
        )
        .values(itinerary_id=itinerary_id)
    ).rowcount
    if claimed != 1:
        session.rollback()
        existing = session.scalar(
            select(BatchItemRow.itinerary_id).where(
                BatchItemRow.batch_id == batch_id, BatchItemRow.row == row
            )
        )
        if existing is None:
            raise NotFound(Reason.of(N_("reason.not_found.batch_row"), id=repr(batch_id), row=row))
        return existing
    session.commit()
    return itinerary_id


def batch_product_job(payload: dict[str, Any], progress) -> str:
    """Job handler: plan product (batch_id, row) and save it once; return the itinerary id."""
    database = current_app.extensions["tourplanner.storage.db"]
    batch_id, row = payload["batch_id"], int(payload["row"])
    with database.session() as session:
        item = session.scalar(
            select(BatchItemRow).where(BatchItemRow.batch_id == batch_id, BatchItemRow.row == row)
        )
        if item is None:
            raise NotFound(Reason.of(N_("reason.not_found.batch_row"), id=repr(batch_id), row=row))
        if item.itinerary_id:  # a retry of a product already saved
            return item.itinerary_id
        scenario = session.get(BatchRow, batch_id).scenario
        request_data = dict(item.request)
        name = item.name
    catalogue = get_catalogue()
    request = parse_tour_request(request_data, catalogue)
    progress.write({"phase": "solving", "seconds": 0, "name": name})
    itinerary = plan(request, catalogue, get_travel_model(scenario), on_progress=progress)
    itinerary = Itinerary.from_dict(
        {**itinerary.to_dict(), "batch": {"id": batch_id, "row": row, "name": name}}
    )
    with database.session() as session:
        return save_product(session, batch_id, row, itinerary)


def wait_for_batch(
    database,
    batch_id: str,
    *,
    timeout: float | None = None,
    poll_s: float = 0.25,
    on_progress: Callable[[BatchView], None] | None = None,
) -> BatchView:
    """Poll the database until every product of *batch_id* has finished; return the batch.

    :raise TimeoutError: when *timeout* seconds pass first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with database.session() as session:
            view = load_batch(session, batch_id, bodies=False)
        if on_progress is not None:
            on_progress(view)
        if view.finished:
            with database.session() as session:
                return load_batch(session, batch_id)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"batch {batch_id} still running after {timeout} s")
        time.sleep(poll_s)
