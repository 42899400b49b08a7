"""The ``tourplanner`` command line (also ``flask --app tourplanner ...``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import ScriptInfo
from flask.cli import with_appcontext

from tourplanner.catalogue.loader import CatalogueImportError
from tourplanner.catalogue.loader import export_csv
from tourplanner.catalogue.loader import export_json
from tourplanner.catalogue.loader import load_files
from tourplanner.catalogue.service import get_catalogue
from tourplanner.cli.common import fail
from tourplanner.cli.common import log_level
from tourplanner.errors import TourplannerError
from tourplanner.log import configure_logging

if TYPE_CHECKING:
    from flask import Flask


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Migrate the database to the current schema (the app also does this on start)."""
    current_app.extensions["tourplanner.storage.db"].upgrade()
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
    database = current_app.extensions["tourplanner.storage.db"]
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

    configure_logging(log_level("INFO"))  # a server logs its requests' troubles by default
    click.echo(f"tourplanner on http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def commands() -> list[click.Command]:
    """Every command of the ``tourplanner`` CLI (the same ones on ``flask --app tourplanner``)."""
    from tourplanner.cli.batch import batch_command
    from tourplanner.cli.batch import worker_command
    from tourplanner.cli.keys import agency_group
    from tourplanner.cli.keys import key_group
    from tourplanner.cli.plan import plan_command
    from tourplanner.cli.plan import show_command
    from tourplanner.cli.programme import programme_command
    from tourplanner.cli.programme import quote_command
    from tourplanner.cli.travel import travel_command

    return [
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
        agency_group,
        key_group,
    ]


def init_app(app: Flask) -> None:
    """Register the commands on *app*'s CLI (``flask --app tourplanner ...``)."""
    for command in commands():
        app.cli.add_command(command)


class _Group(click.Group):
    """The ``tourplanner`` group: unlike Flask's FlaskGroup, it lists and explains its commands
    without building the app, so ``--help`` touches no database; a command builds the app when
    it runs (``with_appcontext`` loads it from the ScriptInfo given here)."""

    def make_context(self, info_name, args, parent=None, **extra):
        extra.setdefault("obj", ScriptInfo(create_app=_create_app))
        return super().make_context(info_name, args, parent=parent, **extra)


def _create_app() -> Flask:
    from tourplanner import create_app

    return create_app({"LOG_LEVEL": log_level("WARNING")})


@click.group(cls=_Group)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More log lines on stderr: -v info, -vv debug (default: warnings and errors only).",
)
@click.pass_obj
def main(info: ScriptInfo, verbose: int) -> None:
    """tourplanner: multi-province tour planner for northern Vietnam."""
    info.data["verbose"] = verbose


for _command in commands():
    main.add_command(_command)
