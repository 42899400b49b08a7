"""The catalogue: provinces and places (attractions, hubs, gateways).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provinces",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_vi", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.String(64), sa.ForeignKey("provinces.id"), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("province_id", sa.String(64), sa.ForeignKey("provinces.id"), nullable=False),
        sa.Column(
            "former_province_id", sa.String(64), sa.ForeignKey("provinces.id"), nullable=True
        ),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("visit_minutes", sa.Integer(), nullable=True),
        sa.Column("min_visit_minutes", sa.Integer(), nullable=True),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("closed_dates", sa.JSON(), nullable=False),
        sa.Column("ticket", sa.JSON(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("unesco", sa.Boolean(), nullable=False),
        sa.Column("heritage_rank", sa.String(32), nullable=True),
        sa.Column("festivals", sa.JSON(), nullable=False),
        sa.Column("access", sa.JSON(), nullable=True),
        sa.Column("hub_type", sa.String(16), nullable=True),
        sa.Column("lodging", sa.JSON(), nullable=True),
        sa.Column("description_vi", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("uncertain", sa.JSON(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_places_kind", "places", ["kind"])
    op.create_index("ix_places_province_id", "places", ["province_id"])
    op.create_index("ix_places_former_province_id", "places", ["former_province_id"])


def downgrade() -> None:
    op.drop_table("places")
    op.drop_table("provinces")
