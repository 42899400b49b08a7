"""Batches belong to the agency that uploaded them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("agency_id", sa.String(32), nullable=True))
        batch.create_foreign_key("fk_batches_agency_id", "agencies", ["agency_id"], ["id"])
        batch.create_index("ix_batches_agency_id", ["agency_id"])


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_index("ix_batches_agency_id")
        batch.drop_constraint("fk_batches_agency_id", type_="foreignkey")
        batch.drop_column("agency_id")
