"""Road times from an OSRM server's table service, with chunking, retries and a fallback.

``GET {base}/table/v1/driving/{lon,lat;...}?sources=...&destinations=...&annotations=
duration,distance`` answers ``{"code": "Ok", "durations": [[s]], "distances": [[m]]}`` with
``null`` for pairs it cannot route. Requests carry at most ``max_coordinates`` (100)
coordinates: the points are cut into blocks of half that size and every (source block,
destination block) pair is one request.

Network failures and 5xx answers are retried with exponential backoff by urllib3's ``Retry``
on the session's adapter (:func:`retrying_session`); an answer that is not a well-formed table is an :class:`~tourplanner.errors.UpstreamError` at once.

When a server has failed, :class:`RoadTimes` does not ask it again for :data:`BREAKER_S`
seconds (the same warning is given at once): a server that hangs costs one round of timeouts,
not one per day of every trip planned meanwhile.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from tourplanner.errors import UpstreamError

log = logging.getLogger(__name__)

#: OSRM's default ``max-table-size`` is 100 coordinates per request
MAX_COORDINATES = 100
#: defaults of :class:`OsrmClient`: per-request timeout, retries, first pause between attempts
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 0.25
#: answers that are retried (OSRM behind a proxy: the proxy's 502/503/504, OSRM's own 500)
RETRY_STATUSES = (500, 502, 503, 504)
#: seconds a failed server is left alone before it is asked again
BREAKER_S = 30.0

#: base URL -> (monotonic time until which it is left alone, the warning of its failure)
_failed: dict[str, tuple[float, str]] = {}


def reset_breakers() -> None:
    """Forget the servers that failed recently (tests)."""
    _failed.clear()


@dataclass(frozen=True, slots=True)
class RoadTable:
    """Road durations (minutes) and distances (km); NaN where OSRM found no route."""

    minutes: np.ndarray
    km: np.ndarray


class OsrmClient:
    """A small client for OSRM's table service.

    Parameters
    ----------
    base_url
        The server, e.g. ``http://osrm:5000`` (the profile path ``/table/v1/driving`` is added).
    timeout_s
        Connect and read timeout of each request (default :data:`DEFAULT_TIMEOUT_S`).
    retries
        How many times a failed request is retried (so ``retries + 1`` attempts; default
        :data:`DEFAULT_RETRIES`).
    backoff_s
        urllib3's backoff factor: the pause before the n-th retry is ``backoff_s * 2**(n-1)``
        (urllib3 makes the first retry at once; default :data:`DEFAULT_BACKOFF_S`).
    max_coordinates
        Coordinates per request; at most 100 (OSRM's default table limit).
    session
        A ``requests.Session`` to reuse, which then does its own retrying (otherwise one is
        made by :func:`retrying_session`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float | None = None,
        retries: int | None = None,
        backoff_s: float | None = None,
        max_coordinates: int = MAX_COORDINATES,
        profile: str = "driving",
        session: requests.Session | None = None,
    ) -> None:
        if not 2 <= max_coordinates <= MAX_COORDINATES:
            raise ValueError(f"max_coordinates must lie in 2..{MAX_COORDINATES}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        self.retries = DEFAULT_RETRIES if retries is None else retries
        self.backoff_s = DEFAULT_BACKOFF_S if backoff_s is None else backoff_s
        self.max_coordinates = max_coordinates
        self.profile = profile
        self.session = session or retrying_session(self.retries, self.backoff_s)
        #: number of HTTP requests made (for tests and logs)
        self.requests_made = 0

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def __enter__(self) -> OsrmClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def table(self, coordinates: Sequence[tuple[float, float]]) -> RoadTable:
        """Return road minutes and km between all (lat, lon) *coordinates*.

        :raise UpstreamError: when the server keeps failing or answers garbage.
        """
        n = len(coordinates)
        minutes = np.full((n, n), np.nan)
        km = np.full((n, n), np.nan)
        block = max(1, self.max_coordinates // 2)
        blocks = [list(range(i, min(i + block, n))) for i in range(0, n, block)]
        for src in blocks:
            for dst in blocks:
                self._fill(coordinates, src, dst, minutes, km)
        np.fill_diagonal(minutes, 0.0)
        np.fill_diagonal(km, 0.0)
        return RoadTable(minutes, km)

    def _fill(self, coordinates, src, dst, minutes, km) -> None:
        members = list(dict.fromkeys(src + dst))
        position = {point: i for i, point in enumerate(members)}
        coords = ";".join(f"{coordinates[p][1]:.6f},{coordinates[p][0]:.6f}" for p in members)
        params = {
            "sources": ";".join(str(position[p]) for p in src),
            "destinations": ";".join(str(position[p]) for p in dst),
            "annotations": "duration,distance",
        }
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        body = self._get(url, params)
        durations = body.get("durations")
        distances = body.get("distances")
        if not _is_table(durations, len(src), len(dst)) or not _is_table(
            distances, len(src), len(dst)
        ):
            raise UpstreamError(f"OSRM at {self.base_url} answered a malformed table")
        for i, p in enumerate(src):
            for j, q in enumerate(dst):
                d, m = durations[i][j], distances[i][j]
                if d is not None and m is not None:
                    minutes[p, q] = d / 60.0
                    km[p, q] = m / 1000.0

    def _get(self, url: str, params: dict[str, str]) -> dict:
        """One table request; the session's adapter retries failures and 5xx answers."""
        attempts = self.retries + 1
        try:
            response = self.session.get(url, params=params, timeout=self.timeout_s)
        except requests.RequestException as exc:
            self.requests_made += attempts  # the retries were used up
            raise UpstreamError(
                f"OSRM at {self.base_url} failed after {attempts} attempts "
                f"({type(exc).__name__}: {exc})"
            ) from None
        history = getattr(getattr(response.raw, "retries", None), "history", ())
        self.requests_made += 1 + len(history)
        if response.status_code in RETRY_STATUSES:
            raise UpstreamError(
                f"OSRM at {self.base_url} failed after {1 + len(history)} attempts "
                f"(HTTP {response.status_code})"
            )
        try:
            body = response.json()
        except ValueError:
            raise UpstreamError(
                f"OSRM at {self.base_url} answered something that is not JSON "
                f"(HTTP {response.status_code})"
            ) from None
        if not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            message = body.get("message", "") if isinstance(body, dict) else ""
            raise UpstreamError(
                f"OSRM at {self.base_url} refused the table request: {code} {message}".strip()
            )
        return body


def retrying_session(retries: int, backoff_s: float) -> requests.Session:
    """A ``requests.Session`` whose adapter retries GETs *retries* times on connection
    errors, timeouts and 5xx answers, with exponential backoff from *backoff_s* (urllib3's
    :class:`~urllib3.util.Retry`); the last 5xx answer is returned, not raised."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff_s,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=["GET"],
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _is_table(rows: object, n_rows: int, n_cols: int) -> bool:
    if not isinstance(rows, list) or len(rows) != n_rows:
        return False
    for row in rows:
        if not isinstance(row, list) or len(row) != n_cols:
            return False
        for v in row:
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                return False
            if v < 0:
                return False
    return True


class RoadTimes:
    """Road times for a matrix: OSRM when configured, else (or on failure) none.

    ``table()`` never raises: when OSRM fails it returns None and records a warning in
    ``warnings``, which the matrix passes on so that it reaches the itinerary.
    """

    def __init__(self, client: OsrmClient) -> None:
        self.client = client
        self.warnings: list[str] = []

    def table(self, coordinates: Sequence[tuple[float, float]]) -> RoadTable | None:
        """Return the OSRM table, or None (with a warning) when the server failed now or
        within the last :data:`BREAKER_S` seconds."""
        url = self.client.base_url
        recent = _failed.get(url)
        if recent is not None and time.monotonic() < recent[0]:
            self.warnings.append(recent[1])
            return None
        try:
            table = self.client.table(coordinates)
        except UpstreamError as exc:
            warning = f"road times come from the embedded network: {exc.message}"
            log.warning(warning)
            _failed[url] = (time.monotonic() + BREAKER_S, warning)
            self.warnings.append(warning)
            return None
        _failed.pop(url, None)
        return table
