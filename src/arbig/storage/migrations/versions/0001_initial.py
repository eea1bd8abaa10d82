"""The initial schema: DESIGN.md's seven tables and ARBIG's own.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import Money, UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("balance", Money(), nullable=False),
        sa.Column("available", Money(), nullable=False),
        sa.Column("margin", Money(), nullable=False),
        sa.Column("frozen_margin", Money(), nullable=False),
        sa.Column("unrealized_pnl", Money(), nullable=False),
        sa.Column("realized_pnl", Money(), nullable=False),
        sa.Column("commission", Money(), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=True),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", name=op.f("uq_accounts_account_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("source_address", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_log_time"), "audit_log", ["time"], unique=False)
    op.create_table(
        "bars",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("start_time", UTCDateTime(), nullable=False),
        sa.Column("open_price", Money(), nullable=False),
        sa.Column("high_price", Money(), nullable=False),
        sa.Column("low_price", Money(), nullable=False),
        sa.Column("close_price", Money(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("open_interest", sa.Integer(), nullable=False),
        sa.Column("turnover", Money(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("symbol", "start_time", name=op.f("uq_bars_symbol_start_time")),
    )
    op.create_table(
        "equity_snapshots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("balance", Money(), nullable=False),
        sa.Column("available", Money(), nullable=False),
        sa.Column("margin", Money(), nullable=False),
        sa.Column("unrealized_pnl", Money(), nullable=False),
        sa.Column("realized_pnl", Money(), nullable=False),
        sa.Column("commission", Money(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_equity_snapshots_account_id_time"),
        "equity_snapshots",
        ["account_id", "time"],
        unique=False,
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("offset", sa.String(length=16), nullable=False),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("traded", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("reject_reason", sa.String(length=255), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "order_id", name=op.f("uq_orders_account_id_order_id")),
    )
    op.create_index(
        op.f("ix_orders_account_id_create_time"),
        "orders",
        ["account_id", "create_time"],
        unique=False,
    )
    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("volume_today", sa.Integer(), nullable=False),
        sa.Column("volume_yesterday", sa.Integer(), nullable=False),
        sa.Column("avg_price", Money(), nullable=False),
        sa.Column("current_price", Money(), nullable=False),
        sa.Column("unrealized_pnl", Money(), nullable=False),
        sa.Column("margin", Money(), nullable=False),
        sa.Column("open_time", UTCDateTime(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_id",
            "symbol",
            "direction",
            name=op.f("uq_positions_account_id_symbol_direction"),
        ),
    )
    op.create_table(
        "strategy_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_name", sa.String(length=64), nullable=False),
        sa.Column("config_data", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("update_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("strategy_name", name=op.f("uq_strategy_configs_strategy_name")),
    )
    op.create_table(
        "strategy_triggers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_name", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("trigger_time", UTCDateTime(), nullable=False),
        sa.Column("trigger_condition", sa.String(length=255), nullable=False),
        sa.Column("trigger_price", Money(), nullable=True),
        sa.Column("action_type", sa.String(length=16), nullable=False),
        sa.Column("execution_result", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=255), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_strategy_triggers_strategy_name_trigger_time"),
        "strategy_triggers",
        ["strategy_name", "trigger_time"],
        unique=False,
    )
    op.create_table(
        "system_logs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_system_logs_time"), "system_logs", ["time"], unique=False)
    op.create_table(
        "trades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trade_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("offset", sa.String(length=16), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.Column("commission", Money(), nullable=False),
        sa.Column("turnover", Money(), nullable=True),
        sa.Column("realized_pnl", Money(), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("trade_time", UTCDateTime(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "trade_id", name=op.f("uq_trades_account_id_trade_id")),
    )
    op.create_index(
        op.f("ix_trades_account_id_trade_time"),
        "trades",
        ["account_id", "trade_time"],
        unique=False,
    )
    op.create_index(
        op.f("ix_trades_trading_day_symbol"), "trades", ["trading_day", "symbol"], unique=False
    )


def downgrade() -> None:
    op.drop_table("trades")
    op.drop_table("system_logs")
    op.drop_table("strategy_triggers")
    op.drop_table("strategy_configs")
    op.drop_table("positions")
    op.drop_table("orders")
    op.drop_table("equity_snapshots")
    op.drop_table("bars")
    op.drop_table("audit_log")
    op.drop_table("accounts")
