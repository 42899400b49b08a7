"""Agency accounts, API keys, the catalogue audit log, API ownership and rate-limit windows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency_id", sa.String(32), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_agency_id", "api_keys", ["agency_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.String(32), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("place_id", sa.String(80), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_log_place_id", "audit_log", ["place_id"])
    op.create_table(
        "api_itineraries",
        sa.Column("itinerary_id", sa.String(32), sa.ForeignKey("itineraries.id"), primary_key=True),
        sa.Column("agency_id", sa.String(32), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_api_itineraries_agency_id", "api_itineraries", ["agency_id"])
    op.create_table(
        "api_jobs",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("agency_id", sa.String(32), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "api_rate_windows",
        sa.Column("key_id", sa.String(32), sa.ForeignKey("api_keys.id"), primary_key=True),
        sa.Column("window_start", sa.Integer(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_rate_windows")
    op.drop_table("api_jobs")
    op.drop_table("api_itineraries")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
    op.drop_table("agencies")
