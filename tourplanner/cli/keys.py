"""``tourplanner agency ...`` and ``tourplanner key ...``: manage agencies and their API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tourplanner.api.keys import ROLES
from tourplanner.api.keys import create_agency
from tourplanner.api.keys import create_key
from tourplanner.api.keys import find_agency
from tourplanner.api.keys import revoke_key
from tourplanner.cli.common import fail
from tourplanner.errors import TourplannerError
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.agencies import ApiKeyRow

if TYPE_CHECKING:
    pass


def _session():
    return current_app.extensions["tourplanner.storage.db"].session()


@click.group("agency")
def agency_group() -> None:
    """Create and list the agencies that use the API."""


@agency_group.command("create")
@click.argument("name")
@with_appcontext
def agency_create(name: str) -> None:
    """Create the agency NAME."""
    with _session() as session:
        try:
            row = create_agency(session, name)
        except TourplannerError as exc:
            fail(exc)
        click.echo(f"agency {row.name!r} created (id {row.id})")


@agency_group.command("list")
@with_appcontext
def agency_list() -> None:
    """List the agencies and their keys (prefix, role, revoked or not)."""
    with _session() as session:
        for agency in session.scalars(select(AgencyRow).order_by(AgencyRow.name)):
            click.echo(f"{agency.name} (id {agency.id})")
            keys = session.scalars(
                select(ApiKeyRow)
                .where(ApiKeyRow.agency_id == agency.id)
                .order_by(ApiKeyRow.created_at)
            )
            for key in keys:
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                click.echo(f"  tp_{key.prefix}_…  {key.role:8} {state}")


@agency_group.command("set")
@click.argument("agency")
@click.option("--guide-per-day", "guide_vnd_per_day", type=click.IntRange(0, 100_000_000),
              help="guide fee in VND per day (quotes)")  # fmt: skip
@click.option("--markup", "markup_pct", type=click.FloatRange(0, 100), help="markup, percent")
@click.option("--vat", "vat_pct", type=click.FloatRange(0, 100), help="VAT rate, percent")
@click.option("--contact", help="address, phone, e-mail: printed on tour programmes")
@click.option("--logo", type=click.File("rb"), help="a PNG logo for tour programmes")
@with_appcontext
def agency_set(agency: str, logo, **values) -> None:
    """Set AGENCY's quote terms and the identity printed on its tour programmes."""
    with _session() as session:
        try:
            row = find_agency(session, agency)
        except TourplannerError as exc:
            fail(exc)
        if logo is not None:
            data = logo.read(512 * 1024 + 1)
            if not data.startswith(b"\x89PNG") or len(data) > 512 * 1024:
                raise click.BadParameter(
                    "must be a PNG file of at most 512 KiB", param_hint="--logo"
                )
            row.logo_png = data
        for name, value in values.items():
            if value is not None:
                setattr(row, name, value[:500] if isinstance(value, str) else value)
        session.commit()
        click.echo(
            f"{row.name}: guide {row.guide_vnd_per_day} VND/day, markup {row.markup_pct} %, "
            f"VAT {row.vat_pct} %, contact {row.contact!r}, logo {'set' if row.logo_png else 'none'}"
        )


@click.group("key")
def key_group() -> None:
    """Create and revoke API keys."""


@key_group.command("create")
@click.argument("agency")
@click.option("--role", type=click.Choice(ROLES), default="planner", show_default=True)
@with_appcontext
def key_create(agency: str, role: str) -> None:
    """Make an API key for AGENCY (name or id) and print it. It is shown only this once."""
    with _session() as session:
        try:
            row, token = create_key(session, find_agency(session, agency), role)
        except TourplannerError as exc:
            fail(exc)
        click.echo(token)
        click.echo(
            f"{role} key tp_{row.prefix}_… for {agency}: store it now, it is not shown again",
            err=True,
        )


@key_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def key_revoke(prefix: str) -> None:
    """Revoke the key whose prefix is PREFIX (the 8 characters after ``tp_``)."""
    with _session() as session:
        try:
            row = revoke_key(session, prefix)
        except TourplannerError as exc:
            fail(exc)
        click.echo(f"key tp_{row.prefix}_… revoked")
