"""The broker's figures: the trading day's close profit, position profit and commission
beside the totals since inception, frozen commission, and a settlement record per day.

Revision ID: 0004_daily_settlement
Revises: 0003_state_tables
Create Date: 2026-12-02

``accounts`` keeps DESIGN.md's columns (``realized_pnl`` and ``commission`` stay totals
since inception) and gains the day's; ``trades`` gains each fill's close profit by
date; ``daily_settlements`` and ``settlement_prices`` are new. The views are rebuilt
with the new columns, named so that today's figures and the totals cannot be mixed up.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from arbig.storage.types import Money, UTCDateTime

revision: str = "0004_daily_settlement"
down_revision: str | None = "0003_state_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_COLUMNS = (
    "frozen_commission",
    "pre_balance",
    "close_profit",
    "position_profit",
    "today_commission",
)


def _views_0002() -> ModuleType:
    """The 0002 migration (for its SQL helpers and, on downgrade, its views)."""
    path = Path(__file__).with_name("0002_views.py")
    spec = importlib.util.spec_from_file_location("arbig_migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def account_summary(sql: object) -> str:
    money = sql.money  # type: ignore[attr-defined]
    money_sum = sql.money_sum  # type: ignore[attr-defined]
    # realized_pnl and commission_total: since inception. today_*: the trading day the
    # core last stamped on the account row (before it stamps one, the latest with trades).
    return f"""
CREATE VIEW account_summary AS
SELECT a.account_id, a.balance, a.available, a.margin, a.frozen_margin,
       a.frozen_commission, a.unrealized_pnl, a.realized_pnl,
       a.commission AS commission_total,
       COALESCE(p.open_positions, 0) AS open_positions,
       COALESCE(t.trade_count, 0) AS today_trade_count,
       {money("COALESCE(t.commission_sum, 0)")} AS today_commission,
       a.pre_balance, a.close_profit AS today_close_profit,
       a.position_profit AS today_position_profit,
       a.trading_day, a.update_time
FROM accounts a
LEFT JOIN (
    SELECT account_id, COUNT(*) AS open_positions
    FROM positions WHERE volume > 0 GROUP BY account_id
) p ON p.account_id = a.account_id
LEFT JOIN (
    SELECT account_id, trading_day, COUNT(*) AS trade_count,
           {money_sum("commission")} AS commission_sum
    FROM trades GROUP BY account_id, trading_day
) t ON t.account_id = a.account_id
   AND t.trading_day = COALESCE(
       a.trading_day,
       (SELECT MAX(x.trading_day) FROM trades x WHERE x.account_id = a.account_id))
"""


def daily_trade_summary(sql: object) -> str:
    money = sql.money  # type: ignore[attr-defined]
    money_sum = sql.money_sum  # type: ignore[attr-defined]
    integer = sql.integer  # type: ignore[attr-defined]
    # realized_pnl: by trade (FIFO against the open price); close_profit: by date, as
    # the day's settlement counts it.
    return f"""
CREATE VIEW daily_trade_summary AS
SELECT account_id, trading_day, symbol, trade_count,
       {integer("buy_volume")} AS buy_volume,
       {integer("sell_volume")} AS sell_volume,
       {money("turnover_sum")} AS turnover,
       {money("commission_sum")} AS commission,
       {money("realized_sum")} AS realized_pnl,
       {money("close_sum")} AS close_profit
FROM (
    SELECT account_id, trading_day, symbol, COUNT(*) AS trade_count,
           SUM(CASE WHEN direction = 'buy' THEN volume ELSE 0 END) AS buy_volume,
           SUM(CASE WHEN direction = 'sell' THEN volume ELSE 0 END) AS sell_volume,
           {money_sum("COALESCE(turnover, 0)")} AS turnover_sum,
           {money_sum("commission")} AS commission_sum,
           {money_sum("realized_pnl")} AS realized_sum,
           {money_sum("close_profit")} AS close_sum
    FROM trades GROUP BY account_id, trading_day, symbol
) d
"""


def upgrade() -> None:
    old = _views_0002()
    sql = old._Sql(op.get_bind().dialect.name)
    op.execute("DROP VIEW IF EXISTS account_summary")
    op.execute("DROP VIEW IF EXISTS daily_trade_summary")
    for name in ACCOUNT_COLUMNS:
        op.add_column("accounts", sa.Column(name, Money(), nullable=False, server_default="0"))
    op.add_column("trades", sa.Column("close_profit", Money(), nullable=False, server_default="0"))
    op.execute("UPDATE trades SET close_profit = realized_pnl")
    op.create_table(
        "daily_settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("pre_balance", Money(), nullable=False),
        sa.Column("deposit", Money(), nullable=False),
        sa.Column("withdraw", Money(), nullable=False),
        sa.Column("close_profit", Money(), nullable=False),
        sa.Column("position_profit", Money(), nullable=False),
        sa.Column("commission", Money(), nullable=False),
        sa.Column("balance", Money(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_id", "trading_day", name=op.f("uq_daily_settlements_account_id_trading_day")
        ),
    )
    op.create_table(
        "settlement_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_id",
            "trading_day",
            "symbol",
            name=op.f("uq_settlement_prices_account_id_trading_day_symbol"),
        ),
    )
    op.execute(account_summary(sql))
    op.execute(daily_trade_summary(sql))


def downgrade() -> None:
    old = _views_0002()
    sql = old._Sql(op.get_bind().dialect.name)
    op.execute("DROP VIEW IF EXISTS account_summary")
    op.execute("DROP VIEW IF EXISTS daily_trade_summary")
    op.drop_table("settlement_prices")
    op.drop_table("daily_settlements")
    with op.batch_alter_table("trades") as batch:
        batch.drop_column("close_profit")
    with op.batch_alter_table("accounts") as batch:
        for name in ACCOUNT_COLUMNS:
            batch.drop_column(name)
    op.execute(old.account_summary(sql))
    op.execute(old.daily_trade_summary(sql))
