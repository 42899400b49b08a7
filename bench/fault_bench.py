"""Fault benchmark: inject each fault once into the real stack and report what the user saw,
how long recovery took and what was lost (not a test; figures for docs/reliability.md).

Run from the repository root (a virtualenv with the project installed; PostgreSQL at
``TEST_DATABASE_URL`` or 127.0.0.1:5432/test, and ``/usr/bin/redis-server``)::

    python bench/fault_bench.py [--json] [--only worker-kill,redis-restart,postgres,osrm-hang,osrm-garbage]

The web tier is the Flask app in this process (its test client); Redis is a private
redis-server (a free port, no persistence), workers are ``tourplanner worker`` processes,
PostgreSQL is reached through a TCP proxy this script controls, OSRM is a stand-in (a server
that accepts and never answers, or one that answers HTML). Nothing shared is stopped.

Scenarios:

- ``worker-kill``: a batch of 3 products on one worker; SIGKILL the worker (and its work horse)
  while it solves; a second worker is started at once. Recovery: kill -> batch finished.
- ``redis-restart``: 3 plan jobs accepted, a worker on them; Redis is killed (its data lost)
  and started again 3 s later; a plan submitted meanwhile. Recovery: restart -> all 3 done.
- ``postgres``: PostgreSQL refuses connections for 5 s while pages and the API are used; an
  edit is cut just before its COMMIT. Recovery: restore -> first healthy answer.
- ``osrm-hang`` / ``osrm-garbage``: OSRM hangs (default client: 5 s timeout, 2 retries) or
  answers garbage while two trips are planned. Recovery: the plan's extra time.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tourplanner import create_app  # noqa: E402
from tourplanner.config import _normalise_database_url  # noqa: E402
from tourplanner.jobs.rq_runner import RQRunner  # noqa: E402
from tourplanner.storage.agencies import AuditRow  # noqa: E402
from tourplanner.storage.tables import ItineraryRow  # noqa: E402
from tourplanner.storage.tables import JobRow  # noqa: E402
from tourplanner.testing.faults import PrivateRedis  # noqa: E402
from tourplanner.testing.faults import SilentServer  # noqa: E402
from tourplanner.testing.faults import TcpProxy  # noqa: E402
from tourplanner.testing.faults import wait_until  # noqa: E402
from tourplanner.testing.keys import auth  # noqa: E402
from tourplanner.testing.keys import make_keys  # noqa: E402
from tourplanner.testing.osrm import FakeOsrm  # noqa: E402

PLAN = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 2, "time_limit_s": 3}


def _app(database_url: str, **config):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "fault-bench",
            "LOG_LEVEL": "ERROR",
            **config,
        }
    )


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "AUTO_SEED": "0",
        "LOG_LEVEL": "WARNING",
    }


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(BIN / "tourplanner"), "worker"],
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=out,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _count(app, table, *where) -> int:
    with app.extensions["tourplanner.storage.db"].session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where))


def worker_kill(tmp: Path) -> dict:
    """SIGKILL the only worker while it solves a batch product; a second worker takes over."""
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.services.batch import service
    from tourplanner.services.batch.spec import parse_batch

    url = f"sqlite:///{tmp / 'kill.sqlite3'}"
    csv = (
        "name,start,start_date,days,must_visit,time_limit_s\n"
        "A,Hà Nội,2027-03-06,2,Vịnh Hạ Long,4\n"
        "B,Hà Nội,2027-03-08,2,Yên Tử,4\n"
        "C,Hải Phòng,2027-03-09,1,Cát Bà,4\n"
    )
    with PrivateRedis(tmp / "redis-kill") as redis:
        app = _app(url)
        app.extensions["tourplanner.jobs.runner"] = RQRunner(redis.url)
        with app.app_context(), app.extensions["tourplanner.storage.db"].session() as session:
            batch_id = service.create_batch(
                session, "fault bench", parse_batch(csv, get_catalogue(), "p.csv")
            )
        env = _env(url, redis.url)
        first = _worker(env, tmp / "worker.log")
        database = app.extensions["tourplanner.storage.db"]

        def solving() -> bool:
            with database.session() as session:
                return bool(
                    session.scalar(
                        select(func.count()).select_from(JobRow).where(JobRow.status == "running")
                    )
                )

        wait_until(solving, 60, "the worker starting a product")
        time.sleep(1.0)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed = time.monotonic()
        with database.session() as session:
            seen = service.load_batch(session, batch_id, bodies=False).counts
        second = _worker(env, tmp / "worker.log")
        try:
            view = service.wait_for_batch(database, batch_id, timeout=300)
            recovery = time.monotonic() - killed
        finally:
            _stop(second)
        done = view.counts["done"]
        itineraries = _count(app, ItineraryRow)
        database.dispose()
    return {
        "fault": "SIGKILL of the only RQ worker mid-solve (batch of 3)",
        "user_saw": f"batch page: {seen['running']} running, {seen['done']} done, "
        f"{seen['queued']} queued; the killed product stays 'running' until retried",
        "recovery_s": round(recovery, 1),
        "accepted": 3,
        "lost": 3 - done,
        "duplicates": itineraries - done,
    }


def redis_restart(tmp: Path) -> dict:
    """Kill Redis (no persistence) while a worker runs accepted plans; start it again."""
    url = f"sqlite:///{tmp / 'redis.sqlite3'}"
    with PrivateRedis(tmp / "redis-restart") as redis:
        app = _app(url, API_SYNC_MAX_UNITS=0)
        app.extensions["tourplanner.jobs.runner"] = RQRunner(redis.url)
        keys = make_keys(app)
        client = app.test_client()
        worker = _worker(_env(url, redis.url), tmp / "worker.log")
        database = app.extensions["tourplanner.storage.db"]
        try:
            job_ids = []
            for _ in range(3):
                response = client.post("/api/v1/plans", json=PLAN, headers=auth(keys.planner))
                job_ids.append(response.get_json()["job"])

            def solving() -> bool:
                with database.session() as session:
                    return bool(
                        session.scalar(
                            select(func.count())
                            .select_from(JobRow)
                            .where(JobRow.status == "running")
                        )
                    )

            wait_until(solving, 60, "the worker starting a plan")
            time.sleep(0.5)
            redis.stop()
            refused = client.post("/api/v1/plans", json=PLAN, headers=auth(keys.planner))
            time.sleep(3)
            redis.start()
            restarted = time.monotonic()

            def all_done() -> bool:
                with database.session() as session:
                    rows = session.scalars(select(JobRow).where(JobRow.id.in_(job_ids))).all()
                return all(r.status in ("done", "failed") for r in rows)

            with contextlib.suppress(TimeoutError):
                wait_until(all_done, 240, "the accepted jobs", interval=0.2)
            recovery = time.monotonic() - restarted
            done = _count(app, JobRow, JobRow.id.in_(job_ids), JobRow.status == "done")
            itineraries = _count(app, ItineraryRow)
        finally:
            _stop(worker)
        log = (tmp / "worker.log").read_text(errors="replace")
        app.extensions["tourplanner.storage.db"].dispose()
    body = refused.get_json()
    return {
        "fault": "Redis killed (data lost) for 3 s with 3 plan jobs accepted, worker running",
        "user_saw": f"new plan: HTTP {refused.status_code} {body['error']}: {body['message']}",
        "recovery_s": round(recovery, 1),
        "accepted": 3,
        "lost": 3 - done,
        "duplicates": itineraries - done,
        "notes": "worker: " + ("re-enqueued lost jobs" if "had lost" in log else "no requeue"),
    }


def postgres(tmp: Path, base_url: str) -> dict:
    """PostgreSQL refuses connections for 5 s behind a proxy; an edit is cut before COMMIT."""
    base = _normalise_database_url(base_url)
    schema = f"fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
    try:
        with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
            app = _app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
            editor = auth(make_keys(app).editor)
            client = app.test_client()
            saved = client.post("/api/v1/plans", json={**PLAN, "days": 1}, headers=editor)
            saved = saved.get_json()
            client.patch("/api/v1/places/yen-tu", json={"version": 1, "value": 41}, headers=editor)
            proxy.refuse()
            statuses: collections.Counter = collections.Counter()
            messages = set()
            refused_at = time.monotonic()
            while time.monotonic() - refused_at < 5:
                for path, headers in (
                    ("/", {}),
                    ("/catalogue/", {}),
                    (f"/i/{saved['id']}.json", {}),
                    ("/api/v1/places?q=ha", editor),
                ):
                    response = client.get(path, headers=headers)
                    statuses[response.status_code] += 1
                    if response.is_json:
                        messages.add(response.get_json()["message"])
                time.sleep(0.1)
            proxy.restore()
            restored = time.monotonic()
            wait_until(lambda: client.get("/healthz").status_code == 200, 60, "recovery")
            recovery = time.monotonic() - restored

            engine = app.extensions["tourplanner.storage.db"].engine
            writes = []

            def flushed(session, _ctx) -> None:
                writes.extend(o for o in session.new if isinstance(o, AuditRow))

            def committing(*_args) -> None:
                if writes and not proxy.refusing:
                    proxy.refuse()

            from sqlalchemy.orm import Session

            event.listen(Session, "after_flush", flushed)
            event.listen(engine, "commit", committing)
            try:
                cut = client.patch(
                    "/api/v1/places/yen-tu", json={"version": 2, "value": 42}, headers=editor
                )
            finally:
                event.remove(Session, "after_flush", flushed)
                event.remove(engine, "commit", committing)
            proxy.restore()
            again = client.get(f"/i/{saved['id']}.json").get_json()
            place = client.get("/api/v1/places/yen-tu", headers=editor).get_json()
            audit = _count(app, AuditRow)
            lost = int(again != saved) + int(place["value"] != 41 or place["version"] != 2)
            half = int(audit != place["version"] - 1)
            app.extensions["tourplanner.storage.db"].dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return {
        "fault": "PostgreSQL refusing connections for 5 s (proxy); an edit cut before COMMIT",
        "user_saw": f"{dict(statuses)} during the outage: {' / '.join(sorted(messages))}; "
        f"the cut edit: HTTP {cut.status_code}",
        "recovery_s": round(recovery, 2),
        "accepted": 2,
        "lost": lost,
        "duplicates": half,
        "notes": "same app process, no restart (pool pre-ping); 'duplicates' = half-written edits",
    }


def osrm(tmp: Path, mode: str) -> dict:
    """Plan two 2-day trips while OSRM hangs or answers garbage (default client settings)."""
    from tourplanner.travel import osrm as osrm_module
    from tourplanner.travel.matrix import clear_cache

    server = SilentServer() if mode == "hang" else FakeOsrm()
    if mode == "garbage":
        server.mode = "garbage"
    osrm_module.reset_breakers()
    clear_cache()
    url = f"sqlite:///{tmp / f'osrm-{mode}.sqlite3'}"
    try:
        app = _app(url, OSRM_URL=server.url)
        keys = make_keys(app)
        client = app.test_client()
        timings, warnings, saved = [], set(), 0
        for start_date in ("2027-03-06", "2027-03-13"):
            started = time.monotonic()
            response = client.post(
                "/api/v1/plans",
                json={**PLAN, "start_date": start_date, "time_limit_s": 1},
                headers=auth(keys.planner),
            )
            timings.append(time.monotonic() - started)
            if response.status_code == 201:
                saved += 1
                warnings.update(w for w in response.get_json()["warnings"] if "OSRM" in w)
        app.extensions["tourplanner.storage.db"].dispose()
    finally:
        server.close()
        osrm_module.reset_breakers()
    return {
        "fault": f"OSRM {'hangs' if mode == 'hang' else 'answers HTML'} during two 2-day plans",
        "user_saw": f"HTTP 201 both; itinerary warning: {' | '.join(sorted(warnings))}",
        "recovery_s": round(timings[0], 1),
        "accepted": 2,
        "lost": 2 - saved,
        "duplicates": 0,
        "notes": f"plan times {timings[0]:.1f} s then {timings[1]:.1f} s (server left alone 30 s)",
    }


def main() -> None:
    """Run the scenarios, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only", default="worker-kill,redis-restart,postgres,osrm-hang,osrm-garbage"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    logging.getLogger("tourplanner").setLevel(logging.CRITICAL)  # the table says what happened
    chosen = args.only.split(",")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        runs = {
            "worker-kill": lambda: worker_kill(tmp),
            "redis-restart": lambda: redis_restart(tmp),
            "postgres": lambda: postgres(tmp, args.database_url),
            "osrm-hang": lambda: osrm(tmp, "hang"),
            "osrm-garbage": lambda: osrm(tmp, "garbage"),
        }
        for name in chosen:
            started = time.monotonic()
            result = runs[name]()
            result["scenario"] = name
            result["wall_s"] = round(time.monotonic() - started, 1)
            results.append(result)
            if not args.json:
                print(f"{name}: done in {result['wall_s']} s", file=sys.stderr)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{'scenario':14} {'recovery s':>10} {'accepted':>8} {'lost':>4} {'dup/half':>8}")
    for r in results:
        print(
            f"{r['scenario']:14} {r['recovery_s']:10} {r['accepted']:8} {r['lost']:4} "
            f"{r['duplicates']:8}"
        )
    for r in results:
        print(f"\n{r['scenario']}: {r['fault']}\n  user saw: {r['user_saw']}")
        if r.get("notes"):
            print(f"  {r['notes']}")


if __name__ == "__main__":
    main()
