"""Benchmark: median latency of the catalogue endpoints of the JSON API on a live local server
(not a test; prints figures for docs/api.md).

Run from the repository root (a virtualenv with the project installed)::

    python bench/api_bench.py [--requests 200] [--port 5077]

It makes a temporary SQLite database with the embedded catalogue, creates an agency and an
editor key through the CLI, starts ``flask run`` (single process, threaded) and times each
endpoint with ``requests`` over one keep-alive session: searches, a read, an edit (PATCH with
the current version) and the province list. Rate limiting stays on (limit raised so it never
refuses); every request pays for the key check and the rate counter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "FLASK_APP": "tourplanner",
        "LOG_LEVEL": "WARNING",
    }


def _cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def _time(session: requests.Session, method: str, url: str, n: int, **kwargs) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = session.request(method, url, **kwargs() if callable(kwargs) else kwargs)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {url}: {response.status_code} {response.text[:200]}")
    return times


def main() -> None:
    """Start a server, time each catalogue endpoint, print median and p95 in milliseconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(f"sqlite:///{tmp}/bench.sqlite3")
        _cli(env, "init-db")
        _cli(env, "agency", "create", "Bench Agency")
        token = _cli(env, "key", "create", "Bench Agency", "--role", "editor").splitlines()[0]
        server = subprocess.Popen(
            [
                str(BIN / "python"),
                "-c",
                "from tourplanner import create_app; app = create_app(); "
                "app.config['API_RATE_LIMIT'] = 10**9; "
                f"app.run(port={args.port}, threaded=True)",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{args.port}/api/v1"
        try:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            for _ in range(100):
                try:
                    session.get(f"{base}/provinces", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            place = session.get(f"{base}/places?kind=attraction&limit=1").json()["items"][0]["id"]
            version = {"v": session.get(f"{base}/places/{place}").json()["version"]}

            def edit() -> dict:
                body = {"value": 50 + version["v"] % 2, "version": version["v"]}
                version["v"] += 1
                return {"json": body}

            n = args.requests
            rows = [
                ("GET /places (first page)", _time(session, "GET", f"{base}/places", n)),
                ("GET /places?q=ha long", _time(session, "GET", f"{base}/places?q=ha%20long", n)),
                (
                    "GET /places?province=Hải Dương",
                    _time(
                        session, "GET", f"{base}/places?province=H%E1%BA%A3i%20D%C6%B0%C6%A1ng", n
                    ),
                ),
                (f"GET /places/{place}", _time(session, "GET", f"{base}/places/{place}", n)),
                ("GET /provinces", _time(session, "GET", f"{base}/provinces", n)),
            ]
            patch_times = []
            for _ in range(n // 4):
                started = time.perf_counter()
                response = session.patch(f"{base}/places/{place}", **edit())
                patch_times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"PATCH: {response.status_code} {response.text[:200]}")
            rows.append((f"PATCH /places/{place} (then re-read)", patch_times))
            rows.append(
                ("GET /places after an edit", _time(session, "GET", f"{base}/places", n // 4))
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{'endpoint':48} {'median ms':>10} {'p95 ms':>8}  n")
    for name, times in rows:
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:48} {statistics.median(times):10.1f} {p95:8.1f}  {len(times)}")


if __name__ == "__main__":
    main()
