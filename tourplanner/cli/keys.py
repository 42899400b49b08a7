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
