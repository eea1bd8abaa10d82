"""Lots the operator hands a strategy, so its own position is rebuilt with them.

Revision ID: 0005_strategy_handovers
Revises: 0004_daily_settlement
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import Money, UTCDateTime

revision: str = "0005_strategy_handovers"
down_revision: str | None = "0004_daily_settlement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "strategy_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("strategy_name", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("volume_yesterday", sa.Integer(), nullable=False),
        sa.Column("volume_today", sa.Integer(), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("handed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("strategy_handovers")
