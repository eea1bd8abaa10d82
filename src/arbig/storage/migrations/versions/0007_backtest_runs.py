"""Backtest runs: what was asked, the code that ran it, and its results.

Revision ID: 0007_backtest_runs
Revises: 0006_web_sessions
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import Money, UTCDateTime

revision: str = "0007_backtest_runs"
down_revision: str | None = "0006_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backtest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("sweep_id", sa.String(length=64), nullable=True),
        sa.Column("strategy_name", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("data_from", sa.Date(), nullable=True),
        sa.Column("data_to", sa.Date(), nullable=True),
        sa.Column("fill_model", sa.JSON(), nullable=False),
        sa.Column("capital", Money(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("ticks", sa.BigInteger(), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("series", sa.JSON(), nullable=True),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("finish_time", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", name=op.f("uq_backtest_runs_run_id")),
    )
    op.create_index(op.f("ix_backtest_runs_sweep_id"), "backtest_runs", ["sweep_id"], unique=False)
    op.create_index(
        op.f("ix_backtest_runs_create_time"), "backtest_runs", ["create_time"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_backtest_runs_create_time"), table_name="backtest_runs")
    op.drop_index(op.f("ix_backtest_runs_sweep_id"), table_name="backtest_runs")
    op.drop_table("backtest_runs")
