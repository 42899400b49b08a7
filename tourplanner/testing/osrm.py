"""A stand-in OSRM table server on 127.0.0.1, for the OSRM tests and the fault benchmark.

No OSRM data of Vietnam can be loaded here, so it answers in OSRM's table format with durations
computed from straight-line distances, not from a road graph.
"""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlsplit


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle km between (lon, lat) pairs."""
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class FakeOsrm:
    """A stand-in for an OSRM server's table service on 127.0.0.1 (port chosen by the OS).

    ``mode`` is "ok", "fail" (HTTP 503), "garbage" (not JSON), "slow" (sleeps) or "refuse"
    (``{"code": "InvalidQuery"}``); ``fail_first`` makes the first N requests fail with 503
    before answering normally. Roads are straight lines × 1.25 driven at 50 km/h.
    """

    def __init__(self) -> None:
        self.mode = "ok"
        self.fail_first = 0
        self.requests: list[dict] = []
        self.null_pairs: set[tuple[int, int]] = set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                return

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                owner.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one table request in OSRM's format (or fail as configured)."""
        parsed = urlsplit(request.path)
        coords = [tuple(map(float, c.split(","))) for c in parsed.path.rsplit("/", 1)[1].split(";")]
        query = parse_qs(parsed.query)
        self.requests.append({"path": parsed.path, "coordinates": len(coords), "query": query})
        if self.fail_first > 0 or self.mode == "fail":
            self.fail_first -= 1
            return self._send(request, 503, b'{"code": "Busy"}')
        if self.mode == "garbage":
            return self._send(request, 200, b"<html>proxy error</html>")
        if self.mode == "refuse":
            return self._send(request, 400, b'{"code": "InvalidQuery", "message": "bad"}')
        if self.mode == "slow":
            time.sleep(0.5)
        sources = [int(i) for i in query["sources"][0].split(";")]
        destinations = [int(i) for i in query["destinations"][0].split(";")]
        durations, distances = [], []
        for s in sources:
            drow, mrow = [], []
            for d in destinations:
                if (s, d) in self.null_pairs:
                    drow.append(None)
                    mrow.append(None)
                    continue
                km = great_circle_km(coords[s], coords[d]) * 1.25
                drow.append(km / 50.0 * 3600.0)
                mrow.append(km * 1000.0)
            durations.append(drow)
            distances.append(mrow)
        body = {"code": "Ok", "durations": durations, "distances": distances}
        return self._send(request, 200, json.dumps(body).encode())

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): nothing to answer

    def close(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
