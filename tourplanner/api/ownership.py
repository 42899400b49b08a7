"""Which agency planned an itinerary or job through the API, and who may read it.

Itineraries and jobs made by the web form have no owner: like their permalinks, any valid key
may read them by id. One planned through the API belongs to the key's agency; a private one
(the default) is answered with 404 to every other agency. The products of an agency's batch
(their jobs and itineraries) are always private to that agency, as the batch itself is in the
workspace.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from tourplanner.api.keys import Principal
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.storage.agencies import ApiItineraryRow
from tourplanner.storage.agencies import ApiJobRow
from tourplanner.storage.batches import BatchItemRow
from tourplanner.storage.batches import BatchRow
from tourplanner.storage.tables import JobRow


def record_itinerary(session: Session, itinerary_id: str, agency_id: str, private: bool) -> None:
    """Record that *agency_id* planned *itinerary_id* (commits)."""
    session.add(ApiItineraryRow(itinerary_id=itinerary_id, agency_id=agency_id, private=private))
    session.commit()


def record_job(session: Session, job_id: str, agency_id: str, private: bool) -> None:
    """Record that *agency_id* submitted *job_id* (commits)."""
    session.add(ApiJobRow(job_id=job_id, agency_id=agency_id, private=private))
    session.commit()


def _visible(owner: str | None, private: bool, principal: Principal) -> bool:
    return owner is None or not private or owner == principal.agency_id


def _batch_owner(
    session: Session, column: InstrumentedAttribute[str | None], value: str
) -> str | None:
    """The agency whose batch made the product with ``column == value`` (None: no batch, or
    a batch made without an agency, e.g. from the command line)."""
    return session.scalars(
        select(BatchRow.agency_id)
        .join(BatchItemRow, BatchItemRow.batch_id == BatchRow.id)
        .where(column == value, BatchRow.agency_id.is_not(None))
        .limit(1)
    ).first()


def check_itinerary(session: Session, itinerary_id: str, principal: Principal) -> None:
    """Let *principal* read *itinerary_id*, or say it does not exist.

    :raise NotFound: when it is another agency's private itinerary.
    """
    row = session.get(ApiItineraryRow, itinerary_id) if len(itinerary_id) <= 32 else None
    if row is not None:
        owner, private = row.agency_id, row.private
    else:  # planned by an API job: the job's owner owns its result
        found = session.execute(
            select(ApiJobRow.agency_id, ApiJobRow.private)
            .join(JobRow, JobRow.id == ApiJobRow.job_id)
            .where(JobRow.result_id == itinerary_id)
        ).first()
        owner, private = (found[0], found[1]) if found else (None, False)
        if owner is None:  # a batch product
            owner, private = _batch_owner(session, BatchItemRow.itinerary_id, itinerary_id), True
    if not _visible(owner, private, principal):
        raise NotFound(Reason.of(N_("reason.not_found.itinerary"), id=repr(itinerary_id)))


def check_job(session: Session, job_id: str, principal: Principal) -> None:
    """Let *principal* read *job_id*, or say it does not exist.

    :raise NotFound: when it is another agency's private job.
    """
    if len(job_id) > 32:
        return
    row = session.get(ApiJobRow, job_id)
    if row is not None:
        owner, private = row.agency_id, row.private
    else:  # a batch product's job
        owner, private = _batch_owner(session, BatchItemRow.job_id, job_id), True
    if not _visible(owner, private, principal):
        raise NotFound(Reason.of(N_("reason.not_found.job"), id=repr(job_id)))
