"""Places gain the evidence of their value, containment, products, lodging tiers and cruises.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("value_basis", "product", "lodging_tiers", "cruise")


def upgrade() -> None:
    with op.batch_alter_table("places") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
        batch.add_column(sa.Column("part_of", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("places") as batch:
        batch.drop_column("part_of")
        for name in reversed(COLUMNS):
            batch.drop_column(name)
