"""The core's standing state in SQL: the trading state and the market choice.

Revision ID: 0003_state_tables
Revises: 0002_views
Create Date: 2026-12-02

Until this revision they were JSON files in the data folder (``risk-state.json``,
``market.json``); the running system imports those once at start-up
(``arbig.storage.state_import``), since only it knows its data folder.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import UTCDateTime

revision: str = "0003_state_tables"
down_revision: str | None = "0002_views"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trading_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "market_choice",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("main_contract", sa.String(length=32), nullable=True),
        sa.Column("watchlist", sa.JSON(), nullable=True),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("market_choice")
    op.drop_table("trading_state")
