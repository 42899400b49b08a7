"""Agencies gain the terms of their quotes and the identity of their tour programmes.

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("guide_vnd_per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("markup_pct", sa.Float(), nullable=True))
        batch.add_column(sa.Column("vat_pct", sa.Float(), nullable=True))
        batch.add_column(sa.Column("contact", sa.String(500), nullable=True))
        batch.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        for name in ("logo_png", "contact", "vat_pct", "markup_pct", "guide_vnd_per_day"):
            batch.drop_column(name)
