"""DESIGN.md's three views, the same rows on SQLite, MySQL/MariaDB and PostgreSQL.

Revision ID: 0002_views
Revises: 0001_initial
Create Date: 2026-11-22

Money sums stay exact everywhere: NUMERIC sums on the servers; on SQLite, where
money is decimal text, sums run over integer ten-thousandths and are formatted back
into the same four-place text, so no float reaches a view.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_views"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = ("account_summary", "daily_trade_summary", "strategy_trigger_summary")


class _Sql:
    """The few expressions whose spelling differs between backends."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def money_sum(self, expr: str) -> str:
        """An exact sum, in whatever ``money`` below turns into the money type."""
        if self.dialect == "sqlite":
            return f"COALESCE(SUM(CAST(ROUND({expr} * 10000) AS INTEGER)), 0)"
        return f"COALESCE(SUM({expr}), 0)"

    def money(self, summed: str) -> str:
        if self.dialect == "sqlite":
            return (
                f"printf('%s%d.%04d', CASE WHEN {summed} < 0 THEN '-' ELSE '' END, "
                f"abs({summed}) / 10000, abs({summed}) % 10000)"
            )
        if self.dialect == "postgresql":
            return f"CAST({summed} AS NUMERIC(20, 4))"
        return f"CAST({summed} AS DECIMAL(20, 4))"

    def integer(self, expr: str) -> str:
        """A whole number as a plain integer (MySQL's SUM would give DECIMAL)."""
        if self.dialect == "postgresql":
            return f"CAST({expr} AS BIGINT)"
        if self.dialect in ("mysql", "mariadb"):
            return f"CAST({expr} AS SIGNED)"
        return expr


def account_summary(sql: _Sql) -> str:
    # "Today" is the trading day the core last stamped on the account row; before it
    # stamps one, the account's latest trading day with trades.
    return f"""
CREATE VIEW account_summary AS
SELECT a.account_id, a.balance, a.available, a.margin, a.unrealized_pnl, a.realized_pnl,
       COALESCE(p.open_positions, 0) AS open_positions,
       COALESCE(t.trade_count, 0) AS today_trade_count,
       {sql.money("COALESCE(t.commission_sum, 0)")} AS today_commission,
       a.trading_day, a.update_time
FROM accounts a
LEFT JOIN (
    SELECT account_id, COUNT(*) AS open_positions
    FROM positions WHERE volume > 0 GROUP BY account_id
) p ON p.account_id = a.account_id
LEFT JOIN (
    SELECT account_id, trading_day, COUNT(*) AS trade_count,
           {sql.money_sum("commission")} AS commission_sum
    FROM trades GROUP BY account_id, trading_day
) t ON t.account_id = a.account_id
   AND t.trading_day = COALESCE(
       a.trading_day,
       (SELECT MAX(x.trading_day) FROM trades x WHERE x.account_id = a.account_id))
"""


def daily_trade_summary(sql: _Sql) -> str:
    return f"""
CREATE VIEW daily_trade_summary AS
SELECT account_id, trading_day, symbol, trade_count,
       {sql.integer("buy_volume")} AS buy_volume,
       {sql.integer("sell_volume")} AS sell_volume,
       {sql.money("turnover_sum")} AS turnover,
       {sql.money("commission_sum")} AS commission,
       {sql.money("realized_sum")} AS realized_pnl
FROM (
    SELECT account_id, trading_day, symbol, COUNT(*) AS trade_count,
           SUM(CASE WHEN direction = 'buy' THEN volume ELSE 0 END) AS buy_volume,
           SUM(CASE WHEN direction = 'sell' THEN volume ELSE 0 END) AS sell_volume,
           {sql.money_sum("COALESCE(turnover, 0)")} AS turnover_sum,
           {sql.money_sum("commission")} AS commission_sum,
           {sql.money_sum("realized_pnl")} AS realized_sum
    FROM trades GROUP BY account_id, trading_day, symbol
) d
"""


def strategy_trigger_summary(sql: _Sql) -> str:
    def count(column: str, value: str) -> str:
        return f"COUNT(CASE WHEN {column} = '{value}' THEN 1 END) AS {value}_count"

    actions = ",\n       ".join(count("action_type", a) for a in ("buy", "sell", "close", "hold"))
    results = ",\n       ".join(
        count("execution_result", r) for r in ("success", "failed", "pending")
    )
    return f"""
CREATE VIEW strategy_trigger_summary AS
SELECT strategy_name, trading_day, COUNT(*) AS trigger_count,
       {actions},
       {results}
FROM strategy_triggers GROUP BY strategy_name, trading_day
"""


def upgrade() -> None:
    sql = _Sql(op.get_bind().dialect.name)
    for build in (account_summary, daily_trade_summary, strategy_trigger_summary):
        op.execute(build(sql))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
