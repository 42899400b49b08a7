"""Per-key rate limits: a fixed-window counter kept in the database.

Each key may make ``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW_S`` seconds (defaults: 120
per 60 s). The window is ``floor(now / window)``; its counter lives in ``api_rate_windows``, so
every worker process of the app shares it. Older windows of a key are deleted when a new one
opens. A fixed window may let up to twice the limit through around a window boundary; that
is the documented trade-off for one row per key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tourplanner.storage.agencies import RateWindowRow

DEFAULT_LIMIT = 120
DEFAULT_WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class Allowance:
    """The outcome of counting one request."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: int


def count_request(
    session: Session, key_id: str, limit: int, window_s: int, now: float | None = None
) -> Allowance:
    """Count one request of *key_id* and commit; tell whether it is within the limit."""
    now = time.time() if now is None else now
    start = int(now // window_s) * window_s
    reset_s = max(1, int(start + window_s - now + 0.999))
    where = (RateWindowRow.key_id == key_id) & (RateWindowRow.window_start == start)
    bumped = session.execute(
        update(RateWindowRow).where(where).values(count=RateWindowRow.count + 1)
    ).rowcount
    if not bumped:
        session.execute(
            delete(RateWindowRow).where(
                (RateWindowRow.key_id == key_id) & (RateWindowRow.window_start < start)
            )
        )
        try:
            with session.begin_nested():
                session.add(RateWindowRow(key_id=key_id, window_start=start, count=1))
        except IntegrityError:  # another worker opened the window first
            session.execute(
                update(RateWindowRow).where(where).values(count=RateWindowRow.count + 1)
            )
    used = session.scalar(select(RateWindowRow.count).where(where)) or 1
    session.commit()
    return Allowance(used <= limit, limit, max(0, limit - used), reset_s)
