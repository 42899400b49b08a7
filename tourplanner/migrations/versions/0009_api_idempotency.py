"""Idempotency keys of API requests that create something (batches): a retried request with
the same key gets the same batch, never a second one.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_idempotency",
        sa.Column("agency_id", sa.String(32), sa.ForeignKey("agencies.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_idempotency")
