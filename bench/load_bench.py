"""Load benchmark: the app under gunicorn, 50 concurrent plans and 500 page requests, then a
check that every saved itinerary reads back identical (not a test; figures for
docs/reliability.md).

Run from the repository root (a virtualenv with the project installed)::

    python bench/load_bench.py [--plans 50] [--pages 500] [--timeout 300] [--json]
    python bench/load_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/load_bench.py --redis-url private --rq-workers 2

It makes a fresh SQLite file (or a fresh schema of ``--database-url``, dropped afterwards),
creates an agency and a planner key with the CLI, and starts ``gunicorn -w 2 --threads 4
'tourplanner:create_app()'`` on a free port of 127.0.0.1 with the embedded catalogue
(``AUTO_SEED``) and the API rate limit raised so it never refuses. Background solves (the
web form's) run in the app's threads, or, with ``--redis-url`` (``private``: a redis-server of
its own), on ``tourplanner worker`` processes.

All plans start at once: ``--api-share`` of them through ``POST /api/v1/plans`` (1 to 3 days,
solved within the request), the rest through the web form (then polled until done). Meanwhile
``--page-clients`` clients send the page requests: the form, the catalogue and its search,
places, the JSON API search, suggestions, and the itineraries saved so far (page, JSON,
iCalendar, GeoJSON). Then every itinerary is read twice through ``/i/<id>.json`` (and the
API's ones through ``/api/v1/itineraries/<id>``) and compared with the plan's answer and with
the row in the database.

An error is any answer that is not the expected one (201 for an API plan, or 202 and a job
that finishes when the server is already solving ``API_SYNC_CONCURRENCY`` plans; 302 for the
form; 200 for the rest), a connection failure or a timeout. An API plan that became a job is
counted as "plan (API job)", from the post to its itinerary being read. Latencies are per
request, in ms; a web plan's is from the form post to the job being done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

STARTS = [
    "hub-ha-noi",
    "hub-hai-phong",
    "hub-bai-chay",
    "hub-hon-gai",
    "hub-ninh-binh",
    "hub-bac-ninh",
    "hub-hai-duong",
    "gw-noi-bai",
    "hub-uong-bi",
    "hub-chi-linh",
]
INTERESTS = ["heritage", "nature", "spiritual", "bay", "cave", "museum", "village", "cuisine"]
SEARCHES = ["ha long", "Yên Tử", "chua", "pagoda", "Côn Sơn", "cat ba", "dền", "bai chay"]
PROVINCES = ["Hải Dương", "Quảng Ninh", "Hải Phòng", "Bắc Giang", "Hà Nội"]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Recorder:
    """Latencies, statuses and errors per kind of request, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, ms: float, error: str | None = None) -> None:
        """Record one request of *kind*."""
        with self.lock:
            self.ms[kind].append(ms)
            if error:
                self.errors[kind].append(error)

    def call(self, kind, session, method, url, expect, timeout, **kwargs):
        """Make a request, record it, return the response (None on a failure)."""
        started = time.perf_counter()
        try:
            response = session.request(
                method, url, timeout=timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            self.add(kind, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}")
            return None
        ms = (time.perf_counter() - started) * 1000
        error = None
        if response.status_code != expect:
            error = (
                f"{method} {url.split('?')[0]}: HTTP {response.status_code} {response.text[:120]!r}"
            )
        self.add(kind, ms, error)
        return response if error is None else None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _plan_request(rng: random.Random, index: int) -> dict:
    start = dt.date(2027, 3, 1) + dt.timedelta(days=rng.randrange(0, 280))
    return {
        "start": rng.choice(STARTS),
        "start_date": start.isoformat(),
        "days": rng.choice([1, 1, 2, 2, 3]),
        "interests": rng.sample(INTERESTS, rng.randrange(0, 3)),
        "pace": rng.choice(["relaxed", "normal", "packed"]),
        "group_size": rng.randrange(1, 9),
        "language": "en" if index % 3 == 0 else "vi",
        "seed": index,
    }


class Load:
    """One run of the benchmark against a server at *base*."""

    def __init__(self, base: str, token: str, deadline: float, rec: Recorder) -> None:
        self.base = base
        self.token = token
        self.deadline = deadline
        self.rec = rec
        self.lock = threading.Lock()
        #: itinerary id -> the plan's answer (API) or None (web form)
        self.saved: dict[str, dict | None] = {}
        self.infeasible: list[str] = []

    def remaining(self) -> float:
        """Seconds left before the deadline (at least a little, so requests can fail)."""
        return max(0.5, self.deadline - time.monotonic())

    def _keep(self, itinerary_id: str, body: dict | None) -> None:
        with self.lock:
            self.saved[itinerary_id] = body

    def plan_api(self, request: dict) -> None:
        """POST one plan to the JSON API (solved within the request)."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        try:
            response = session.post(
                f"{self.base}/api/v1/plans", json=request, timeout=self.remaining()
            )
        except requests.RequestException as exc:
            self.rec.add("plan (API)", (time.perf_counter() - started) * 1000, type(exc).__name__)
            return
        ms = (time.perf_counter() - started) * 1000
        if response.status_code == 422 and response.json().get("error") == "no_feasible_tour":
            self.infeasible.append(f"{request}: {response.json()['message']}")
            self.rec.add("plan (API)", ms)
            return
        if response.status_code == 202:  # the server was busy solving: a job, polled
            self._follow_api_job(session, response.json()["status_url"], started)
            return
        if response.status_code != 201:
            self.rec.add("plan (API)", ms, f"HTTP {response.status_code} {response.text[:200]!r}")
            return
        self.rec.add("plan (API)", ms)
        body = response.json()
        self._keep(body["id"], body)

    def _wait_for_job(
        self,
        session: requests.Session,
        url: str,
        poll_kind: str,
        plan_kind: str,
        what: str,
        started: float,
    ) -> dict | None:
        """Poll the job at *url* until it ends; record *plan_kind* (from *started*) unless it
        is done, and return it then (None otherwise). *what* names the plan when infeasible."""
        while True:
            polled = self.rec.call(poll_kind, session, "GET", url, 200, self.remaining())
            if polled is None:
                return None
            job = polled.json()
            if job["status"] in ("done", "failed"):
                break
            if time.monotonic() > self.deadline:
                self.rec.add(plan_kind, (time.perf_counter() - started) * 1000, "timed out")
                return None
            time.sleep(0.25)
        if job["status"] == "done":
            return job
        ms = (time.perf_counter() - started) * 1000
        if (job.get("error") or {}).get("error") == "no_feasible_tour":
            self.infeasible.append(f"{what}: {job['error']['message']}")
            self.rec.add(plan_kind, ms)
        else:
            self.rec.add(plan_kind, ms, f"job failed: {job.get('error')}")
        return None

    def _follow_api_job(self, session: requests.Session, status_url: str, started: float) -> None:
        """Poll an API plan that became a job until it is done; keep its itinerary."""
        job = self._wait_for_job(
            session,
            f"{self.base}{status_url}",
            "API job poll",
            "plan (API job)",
            status_url,
            started,
        )
        if job is None:
            return
        got = self.rec.call(
            "API itinerary",
            session,
            "GET",
            f"{self.base}{job['itinerary_url']}",
            200,
            self.remaining(),
        )
        self.rec.add(
            "plan (API job)",
            (time.perf_counter() - started) * 1000,
            None if got is not None else "itinerary unreadable",
        )
        if got is not None:
            body = got.json()
            self._keep(body["id"], body)

    def plan_web(self, request: dict) -> None:
        """Fill in the trip form, post it, poll the job until the itinerary is there."""
        session = requests.Session()
        started = time.perf_counter()
        # a new connection for the post, as a browser after a pause: it may reach another worker
        form = self.rec.call(
            "form page",
            session,
            "GET",
            f"{self.base}/",
            200,
            self.remaining(),
            headers={"Connection": "close"},
        )
        if form is None:
            return
        data = {
            "csrf_token": TOKEN.search(form.text).group(1),
            **{k: str(v) for k, v in request.items() if k not in ("interests", "seed")},
            "interests": request["interests"],
        }
        posted = self.rec.call(
            "form post", session, "POST", f"{self.base}/", 302, self.remaining(), data=data
        )
        if posted is None:
            return
        job_path = posted.headers["Location"].split("?")[0]
        job = self._wait_for_job(
            session,
            f"{self.base}{job_path}.json",
            "job poll",
            "plan (form)",
            str(request),
            started,
        )
        if job is None:
            return
        self.rec.add("plan (form)", (time.perf_counter() - started) * 1000)
        self._keep(job["result_id"], None)

    def page(self, rng: random.Random, session: requests.Session) -> None:
        """One page request of a random kind."""
        with self.lock:
            ids = list(self.saved)
        kinds = ["home", "catalogue", "catalogue search", "place", "API places", "suggest"]
        if ids:
            kinds += ["itinerary page", "itinerary JSON", "iCalendar", "GeoJSON"] * 2
        kind = rng.choice(kinds)
        api = {"Authorization": f"Bearer {self.token}"}
        urls = {
            "home": "/?lang=en",
            "catalogue": "/catalogue/",
            "catalogue search": f"/catalogue/?q={rng.choice(SEARCHES)}"
            if rng.random() < 0.7
            else f"/catalogue/?province={rng.choice(PROVINCES)}",
            "place": f"/catalogue/{rng.choice(['ha-long-bay', 'yen-tu', 'sung-sot-cave', 'hoa-yen-pagoda', 'bai-tu-long-bay'])}",
            "API places": f"/api/v1/places?q={rng.choice(SEARCHES)}",
            "suggest": f"/api/suggest?q={rng.choice(SEARCHES)[:3]}",
        }
        if ids:
            chosen = rng.choice(ids)
            urls |= {
                "itinerary page": f"/i/{chosen}",
                "itinerary JSON": f"/i/{chosen}.json",
                "iCalendar": f"/i/{chosen}.ics",
                "GeoJSON": f"/i/{chosen}.geojson",
            }
        headers = api if kind == "API places" else {}
        self.rec.call(
            kind, session, "GET", f"{self.base}{urls[kind]}", 200, self.remaining(), headers=headers
        )


def verify(base: str, token: str, saved: dict[str, dict | None], database_url: str) -> dict:
    """Read every itinerary twice over HTTP and once from the database; count the mismatches."""
    from sqlalchemy import create_engine
    from sqlalchemy import func
    from sqlalchemy import select

    from tourplanner.storage.tables import ItineraryRow

    session = requests.Session()
    mismatches: list[str] = []
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = (
            dict(
                conn.execute(
                    select(ItineraryRow.id, ItineraryRow.body).where(
                        ItineraryRow.id.in_(list(saved))
                    )
                ).all()
            )
            if saved
            else {}
        )
        in_database = conn.scalar(select(func.count()).select_from(ItineraryRow))
    engine.dispose()
    for itinerary_id, answer in saved.items():
        first = session.get(f"{base}/i/{itinerary_id}.json", timeout=30)
        second = session.get(f"{base}/i/{itinerary_id}.json", timeout=30)
        reads = [first.json(), second.json()]
        if answer is not None:
            api = session.get(
                f"{base}/api/v1/itineraries/{itinerary_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            reads.append(api.json())
        expected = answer if answer is not None else reads[0]
        if any(r != expected for r in reads):
            mismatches.append(f"{itinerary_id}: HTTP reads differ")
        stored = rows.get(itinerary_id)
        if stored is None:
            mismatches.append(f"{itinerary_id}: not in the database")
        elif stored != expected:
            mismatches.append(f"{itinerary_id}: the database row differs from the answer")
    return {
        "itineraries": len(saved),
        "identical": len(saved) - len({m.split(":")[0] for m in mismatches}),
        "rows_in_database": in_database,
        "mismatches": mismatches,
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_database(url: str | None, tmp: str) -> tuple[str, callable]:
    """A fresh database: a SQLite file in *tmp*, or a new schema of *url* (dropped after)."""
    if not url:
        return f"sqlite:///{tmp}/load.sqlite3", lambda: None
    from sqlalchemy import create_engine
    from sqlalchemy import text

    from tourplanner.config import _normalise_database_url

    base = _normalise_database_url(url)
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def main() -> None:  # noqa: C901 (a script: set up, load, verify, report)
    """Set up, run the load, verify, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=50, help="plan requests, all at once")
    parser.add_argument("--pages", type=int, default=500, help="catalogue/page requests")
    parser.add_argument("--page-clients", type=int, default=16, help="concurrent page clients")
    parser.add_argument("--api-share", type=float, default=0.7, help="share of plans via API")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--timeout", type=float, default=300, help="give up after SECONDS")
    parser.add_argument("--database-url", help="PostgreSQL server (a fresh schema is used)")
    parser.add_argument("--redis-url", help="run jobs on RQ workers ('private': own Redis)")
    parser.add_argument("--rq-workers", type=int, default=2, help="with --redis-url")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    processes: list[subprocess.Popen] = []
    redis = None
    with tempfile.TemporaryDirectory() as tmp:
        database_url, drop = _fresh_database(args.database_url, tmp)
        redis_url = args.redis_url
        if redis_url == "private":
            from tourplanner.testing.faults import PrivateRedis

            redis = PrivateRedis(Path(tmp) / "redis").start()
            redis_url = redis.url
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "API_RATE_LIMIT": "1000000",
            "LOG_LEVEL": "WARNING",
            "AUTO_SEED": "1",
        }
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        log_path = Path(tmp) / "gunicorn.log"
        try:
            tp = str(BIN / "tourplanner")
            subprocess.run(
                [tp, "agency", "create", "Load"], env=env, check=True, capture_output=True
            )
            token = subprocess.run(
                [tp, "key", "create", "Load", "--role", "planner"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[0]
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            with open(log_path, "wb") as log:
                processes.append(
                    subprocess.Popen(
                        [
                            str(BIN / "gunicorn"),
                            "-w",
                            str(args.workers),
                            "--threads",
                            str(args.threads),
                            "-b",
                            f"127.0.0.1:{port}",
                            "--timeout",
                            "120",
                            "tourplanner:create_app()",
                        ],
                        env=env,
                        cwd=tmp,
                        stdout=log,
                        stderr=log,
                    )
                )
                for _ in range(args.rq_workers if redis_url else 0):
                    processes.append(
                        subprocess.Popen([tp, "worker"], env=env, cwd=tmp, stdout=log, stderr=log)
                    )
            for _ in range(300):
                try:
                    if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.1)
            else:
                raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")

            rec = Recorder()
            started = time.monotonic()
            load = Load(base, token, started + args.timeout, rec)
            requests_ = [_plan_request(rng, i) for i in range(args.plans)]
            n_api = round(args.plans * args.api_share)
            page_seeds = [rng.randrange(1 << 30) for _ in range(args.page_clients)]

            def page_client(k: int) -> None:
                client_rng = random.Random(page_seeds[k])
                session = requests.Session()
                for _ in range(
                    args.pages // args.page_clients + (k < args.pages % args.page_clients)
                ):
                    if time.monotonic() > load.deadline:
                        return
                    load.page(client_rng, session)

            with ThreadPoolExecutor(args.plans + args.page_clients) as pool:
                futures = [
                    pool.submit(load.plan_api if i < n_api else load.plan_web, r)
                    for i, r in enumerate(requests_)
                ]
                futures += [pool.submit(page_client, k) for k in range(args.page_clients)]
                for f in futures:
                    f.result()
            wall = time.monotonic() - started
            check = verify(base, token, load.saved, database_url)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            if redis is not None:
                redis.stop()
            server_log = log_path.read_text(errors="replace") if log_path.exists() else ""
            drop()

    rows = []
    for kind in sorted(rec.ms, key=lambda k: (not k.startswith("plan"), k)):
        values = rec.ms[kind]
        rows.append(
            {
                "kind": kind,
                "requests": len(values),
                "errors": len(rec.errors[kind]),
                "p50_ms": round(_percentile(values, 0.5), 1),
                "p95_ms": round(_percentile(values, 0.95), 1),
                "max_ms": round(max(values), 1),
            }
        )
    plans_done = len(load.saved)
    page_kinds = [
        r
        for r in rows
        if not r["kind"].startswith("plan")
        and r["kind"] not in ("form page", "form post", "job poll", "API job poll", "API itinerary")
    ]
    summary = {
        "server": f"gunicorn -w {args.workers} --threads {args.threads}",
        "database": "postgresql" if args.database_url else "sqlite",
        "jobs": f"rq ({args.rq_workers} workers)" if redis_url else "in-process threads",
        "plans_sent": args.plans,
        "plans_via_api": n_api,
        "plans_via_form": args.plans - n_api,
        "plans_completed": plans_done,
        "plans_infeasible": len(load.infeasible),
        "page_requests": sum(r["requests"] for r in page_kinds),
        "requests_total": sum(r["requests"] for r in rows),
        "errors_total": sum(r["errors"] for r in rows),
        "wall_s": round(wall, 1),
        "itineraries_verified": check["itineraries"],
        "itineraries_identical": check["identical"],
        "itinerary_rows_in_database": check["rows_in_database"],
        "mismatches": check["mismatches"],
        "errors": {k: v[:5] for k, v in rec.errors.items() if v},
        "server_tracebacks": server_log.count("Traceback"),
        "by_kind": rows,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    print(f"{summary['server']}, {summary['database']}, jobs: {summary['jobs']}")
    print(f"{'kind':18} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for r in rows:
        print(
            f"{r['kind']:18} {r['requests']:8} {r['errors']:6} {r['p50_ms']:8.1f} "
            f"{r['p95_ms']:8.1f} {r['max_ms']:8.1f}"
        )
    print(
        f"plans: {plans_done}/{args.plans} completed ({n_api} API, {args.plans - n_api} form), "
        f"{len(load.infeasible)} infeasible; page requests: {summary['page_requests']}; "
        f"all requests: {summary['requests_total']} in {summary['wall_s']} s; "
        f"errors: {summary['errors_total']}"
    )
    print(
        f"itineraries read back identical (2 HTTP reads + API + database row): "
        f"{check['identical']}/{check['itineraries']}; rows in the database: "
        f"{check['rows_in_database']}; server tracebacks: {summary['server_tracebacks']}"
    )
    for kind, errors in summary["errors"].items():
        print(f"  {kind}: {errors}")
    for line in check["mismatches"][:10]:
        print(f"  mismatch {line}")


if __name__ == "__main__":
    main()
