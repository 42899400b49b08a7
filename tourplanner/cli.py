"""The ``tourplanner`` command line (also ``flask --app tourplanner ...``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import with_appcontext

from tourplanner.catalogue.loader import CatalogueImportError
from tourplanner.catalogue.loader import export_csv
from tourplanner.catalogue.loader import export_json
from tourplanner.catalogue.loader import load_files
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import TourplannerError
from tourplanner.travel.commands import travel_command

if TYPE_CHECKING:
    from flask import Flask


def fail(exc: TourplannerError, *, as_json: bool = False) -> None:
    """Print *exc* for a person (or as JSON) on stderr and exit with its exit code."""
    if as_json:
        click.echo(json.dumps(exc.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(exc.exit_code)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Migrate the database to the current schema (the app also does this on start)."""
    current_app.extensions["tourplanner.db"].upgrade()
    click.echo("database is at the current schema")


@click.group("catalogue")
def catalogue_group() -> None:
    """Load, export and search the catalogue."""


@catalogue_group.command("load")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
def catalogue_load(files: tuple[Path, ...]) -> None:
    """Load catalogue FILES (JSON or CSV) into the database, all or nothing.

    Without FILES, the embedded catalogue is loaded. Loading the same files again changes
    nothing. A file with bad rows is reported row by row and nothing is loaded (exit 2).
    """
    database = current_app.extensions["tourplanner.db"]
    with database.session() as session:
        try:
            report = load_files(session, list(files) or None)
        except CatalogueImportError as exc:
            for error in exc.errors:
                click.echo(str(error), err=True)
            fail(exc)
    click.echo(
        f"loaded {report.places} places ({report.places_changed} new or changed) "
        f"and {report.provinces} provinces ({report.provinces_changed} new or changed)"
    )


@catalogue_group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@with_appcontext
def catalogue_export(fmt: str) -> None:
    """Write the whole catalogue to stdout as JSON or CSV."""
    catalogue = get_catalogue()
    click.echo(export_json(catalogue) if fmt == "json" else export_csv(catalogue), nl=False)


@catalogue_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="print the shares as JSON")
@with_appcontext
def catalogue_stats_command(as_json: bool) -> None:
    """How much of the catalogue rests on cited sources (coordinates, tickets, hours, value
    evidence, lodging prices, fares), as shares of the active places and the network's links."""
    from tourplanner.catalogue.stats import catalogue_stats
    from tourplanner.travel.network import default_network

    stats = catalogue_stats(get_catalogue(), default_network())
    if as_json:
        click.echo(json.dumps({k: v.to_dict() for k, v in stats.items()}, ensure_ascii=False))
        return
    width = max(len(k) for k in stats)
    for name, share in stats.items():
        click.echo(f"{name:<{width}}  {share.sourced:>4} / {share.total:<4} {share.percent:5.1f} %")


@catalogue_group.command("search")
@click.argument("query", default="")
@click.option("--province", help="current or former province, any diacritics")
@click.option("--category", help="a category or tag, e.g. heritage, beach")
@click.option("--kind", type=click.Choice(["attraction", "hub", "gateway"]))
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_appcontext
def catalogue_search(
    query: str, province: str | None, category: str | None, kind: str | None, as_json: bool
) -> None:
    """Search places by name (with or without diacritics), province or category."""
    try:
        matches = get_catalogue().search(query, province=province, category=category, kind=kind)
    except TourplannerError as exc:
        fail(exc, as_json=as_json)
    if as_json:
        rows = [
            {
                "id": m.place.id,
                "kind": m.place.kind,
                "name_vi": m.place.name_vi,
                "name_en": m.place.name_en,
                "province": m.place.province,
                "former_province": m.place.former_province,
                "score": m.score,
            }
            for m in matches
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for m in matches:
        former = f" (cũ: {m.place.former_province})" if m.place.former_province else ""
        click.echo(
            f"{m.place.id:32} {m.place.name_vi} / {m.place.name_en} — {m.place.province}{former}"
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the web app (Werkzeug's threaded server; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    click.echo(f"tourplanner on http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def init_app(app: Flask) -> None:
    """Register the commands on *app*'s CLI."""
    from tourplanner.batch.cli import batch_command
    from tourplanner.batch.cli import worker_command
    from tourplanner.plan_cli import plan_command
    from tourplanner.plan_cli import show_command
    from tourplanner.programme_cli import programme_command
    from tourplanner.programme_cli import quote_command

    for command in (
        init_db_command,
        catalogue_group,
        serve_command,
        plan_command,
        show_command,
        travel_command,
        batch_command,
        worker_command,
        quote_command,
        programme_command,
    ):
        app.cli.add_command(command)


def _create_app(*_args) -> Flask:
    from tourplanner import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app, help="tourplanner: multi-province tour planner for northern Vietnam."
)
