"""``tourplanner batch FILE`` and ``tourplanner worker``: batches and RQ workers from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tourplanner.catalogue.service import get_catalogue
from tourplanner.cli.common import fail
from tourplanner.cli.common import log_level
from tourplanner.errors import TourplannerError
from tourplanner.log import configure_logging
from tourplanner.services.batch import report
from tourplanner.services.batch import service
from tourplanner.services.batch.spec import parse_batch

#: exit codes: every product planned / bad rows (the good ones ran) / some product failed
EXIT_BAD_ROWS, EXIT_FAILED = 2, 3


@click.command("batch")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wait/--no-wait", default=None, help="wait for every product (default: wait)")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON on stdout")
@click.option("--name", help="the batch's name (default: the file name)")
@click.option("--scenario", help="plan under a scenario of the network, e.g. with-lai-xuan")
@click.option("--timeout", type=float, default=None, help="give up waiting after SECONDS")
@with_appcontext
def batch_command(
    file: Path,
    wait: bool | None,
    as_json: bool,
    name: str | None,
    scenario: str | None,
    timeout: float | None,
) -> None:
    """Plan every product of FILE (CSV or JSON) as a batch and print its summary.

    Bad rows are reported on stderr (row, field, reason); the good rows still run. Products run
    on RQ workers when REDIS_URL is set (start them with ``tourplanner worker``), else in this
    process. A progress bar goes to stderr. Exit 2 when rows were bad, 3 when a product failed.
    """
    database = current_app.extensions["tourplanner.storage.db"]
    try:
        spec = parse_batch(file.read_bytes(), get_catalogue(), file.name)
        with database.session() as session:
            batch_id = service.create_batch(session, name or file.stem, spec, scenario=scenario)
    except TourplannerError as exc:
        fail(exc, as_json=as_json)
    for error in spec.errors:
        click.echo(f"bad {error}", err=True)
    in_process = not current_app.config.get("REDIS_URL")
    if wait is False and not in_process:
        if as_json:
            click.echo(json.dumps({"batch_id": batch_id, "products": len(spec.products)}))
        else:
            click.echo(f"batch {batch_id}: {len(spec.products)} products queued")
        sys.exit(EXIT_BAD_ROWS if spec.errors else 0)

    total = len(spec.products)
    with click.progressbar(
        length=total, label=f"batch {batch_id}", file=sys.stderr, show_pos=True
    ) as bar:
        done = [0]

        def advance(view: service.BatchView) -> None:
            counts = view.counts
            finished = counts[service.DONE] + counts[service.FAILED]
            if finished > done[0]:
                bar.update(finished - done[0])
                done[0] = finished

        view = service.wait_for_batch(database, batch_id, timeout=timeout, on_progress=advance)
    rows = report.summary_rows(view)
    if as_json:
        click.echo(json.dumps(report.batch_json(view), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary_text(view, rows))
    if view.counts[service.FAILED]:
        sys.exit(EXIT_FAILED)
    if spec.errors:
        sys.exit(EXIT_BAD_ROWS)


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="queue to serve (default: tourplanner)")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.option("--name", help="the worker's name in Redis")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool, name: str | None) -> None:
    """Run an RQ worker for tourplanner's jobs (needs REDIS_URL; start as many as you like).

    Equivalent to ``rq worker tourplanner --with-scheduler`` with the app built once per
    worker instead of once per job.
    """
    from tourplanner.jobs import rq_runner as queue

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        raise click.UsageError("set REDIS_URL to the Redis the app enqueues jobs on")
    configure_logging(log_level("INFO"))
    queue.preload(current_app._get_current_object())
    queue.start_worker(redis_url, list(queues) or [queue.QUEUE_NAME], burst=burst, name=name)
