"""The CTP session's settlement statements: the text the broker sent and the session
confirmed, one per account and trading day.

Revision ID: 0008_ctp
Revises: 0007_backtest_runs
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from arbig.storage.types import UTCDateTime

revision: str = "0008_ctp"
down_revision: str | None = "0007_backtest_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        # a statement with many trades outgrows MySQL's TEXT (64 KB)
        sa.Column("content", sa.Text().with_variant(mysql.LONGTEXT(), "mysql"), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_id", "trading_day", name="uq_settlement_statements_account_id_trading_day"
        ),
    )


def downgrade() -> None:
    op.drop_table("settlement_statements")
