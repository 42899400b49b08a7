"""Benchmark: a batch of 20 products on N real RQ workers (not a test; prints figures).

Usage (Redis and the embedded catalogue; a temporary SQLite file unless DATABASE_URL is set)::

    REDIS_URL=redis://127.0.0.1:6379/15 python bench/batch_bench.py [--workers 2] [--products 20]

Prints the wall time from submitting the batch to its last product, and products per minute.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PRODUCTS = [
    ("2N1Đ Hạ Long – Cát Bà from Hải Phòng", "Hải Phòng", 2, "Vịnh Hạ Long|Đảo Cát Bà"),
    ("3N2Đ Yên Tử – Hạ Long – Lan Hạ from Hà Nội", "Hà Nội", 3, "Yên Tử|Vịnh Hạ Long|Vịnh Lan Hạ"),
    ("2N1Đ Côn Sơn – Kiếp Bạc – Yên Tử from Hà Nội", "Hà Nội", 2, "Côn Sơn|Kiếp Bạc|Yên Tử"),
    ("1N Đồ Sơn from Hải Phòng", "Hải Phòng", 1, ""),
    ("2N1Đ Bạch Đằng – Hạ Long from Hải Phòng", "Hải Phòng", 2, "Vịnh Hạ Long"),
]


def batch_csv(count: int) -> str:
    """*count* products cycling over a few typical agency products and start dates."""
    lines = ["name,start,start_date,days,must_visit,groups,time_limit_s"]
    for i in range(count):
        name, start, days, must = PRODUCTS[i % len(PRODUCTS)]
        groups = 2 if i % 4 == 3 else 1
        date = f"2027-04-{5 + i % 20:02d}"
        lines.append(f"{name} #{i + 1},{start},{date},{days},{must},{groups},2")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--products", type=int, default=20)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    folder = tempfile.mkdtemp(prefix="tp-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.update(DATABASE_URL=database_url, REDIS_URL="", LOG_LEVEL="WARNING")

    from redis import Redis

    from tourplanner import create_app
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.jobs.rq_runner import RQRunner
    from tourplanner.services.batch import service
    from tourplanner.services.batch.spec import parse_batch

    app = create_app()
    queue_name = f"tp-bench-{uuid.uuid4().hex[:8]}"
    app.extensions["tourplanner.jobs.runner"] = RQRunner(redis_url, queue_name)
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, AUTO_SEED="0")
    tourplanner_bin = Path(sys.executable).parent / "tourplanner"
    workers = [
        subprocess.Popen(
            [str(tourplanner_bin), "worker", "--queue", queue_name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    try:
        time.sleep(6)  # workers import OR-Tools and build the app before the clock starts
        with app.app_context():
            spec = parse_batch(batch_csv(args.products), get_catalogue(), "bench.csv")
            for error in spec.errors:
                print(f"bad {error}", file=sys.stderr)
            database = app.extensions["tourplanner.storage.db"]
            started = time.perf_counter()
            with database.session() as session:
                batch_id = service.create_batch(session, "bench", spec)
            view = service.wait_for_batch(database, batch_id, timeout=1800, poll_s=0.2)
            wall = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        connection = Redis.from_url(redis_url)
        keys = list(connection.scan_iter(f"*{queue_name}*"))
        for key in connection.scan_iter("rq:job:tourplanner-*"):
            if connection.hget(key, "origin") == queue_name.encode():
                keys += [key, key.replace(b"rq:job:", b"rq:results:")]
        for key in connection.scan_iter("rq:worker:*"):
            if (
                connection.type(key) == b"hash"
                and connection.hget(key, "queues") == queue_name.encode()
            ):
                keys.append(key)
                connection.srem("rq:workers", key)
        connection.srem("rq:queues", f"rq:queue:{queue_name}")
        if keys:
            connection.delete(*keys)
    counts = view.counts
    solve = sum(i.itinerary["summary"]["solve_seconds"] for i in view.items if i.itinerary)
    print(
        f"products: {len(view.items)} ({counts['done']} planned, {counts['failed']} failed, {counts['invalid']} bad)"
    )
    print(f"workers: {args.workers}")
    print(f"wall time: {wall:.1f} s")
    print(f"products per minute: {len(view.items) / wall * 60:.1f}")
    print(f"sum of solve times: {solve:.1f} s (parallel speed-up {solve / wall:.2f}x)")


if __name__ == "__main__":
    main()
