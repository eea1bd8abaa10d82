"""Queries behind the console's history pages: trade pages, daily summary, statistics.

Synchronous functions of a Core connection (no ORM: plain rows), run by
``storage.reads.Reader`` (see there why).
"""

from datetime import date
from decimal import Decimal
from typing import cast

from sqlalchemy import ColumnElement, Connection, func, select, text

from arbig.api.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary
from arbig.domain.enums import Offset
from arbig.domain.statistics import ClosedFill
from arbig.storage import rows
from arbig.storage.models import TradeRow

_ACTIONS = ("buy", "sell", "close", "hold")
_RESULTS = ("success", "failed", "pending")


def _where(account_id: str, f: TradeFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [TradeRow.account_id == account_id]
    if f.symbol:
        where.append(TradeRow.symbol == f.symbol)
    if f.side:
        where.append(TradeRow.direction == f.side.value)
    if f.since:
        where.append(TradeRow.trade_time >= f.since)
    if f.until:
        where.append(TradeRow.trade_time < f.until)
    if f.trading_day:
        where.append(TradeRow.trading_day == f.trading_day)
    if f.since_day:
        where.append(TradeRow.trading_day >= f.since_day)
    if f.until_day:
        where.append(TradeRow.trading_day <= f.until_day)
    return where


def trade_page(
    connection: Connection, account_id: str, f: TradeFilter, *, limit: int, offset: int
) -> tuple[list[TradeRecord], int]:
    """One page of trades, newest first, and how many match in all.

    One statement with a window count and plain rows, not ORM objects: the trades
    page is the console's busiest history query (measured in bench/bench_rest.py).
    """
    where = _where(account_id, f)
    table = TradeRow.__table__
    query = (
        select(table, func.count().over().label("matching"))
        .where(*where)
        .order_by(TradeRow.trade_time.desc(), TradeRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    page = connection.execute(query).all()
    if page:
        total = int(page[0].matching)
    else:  # past the last page the window has no row to report on
        count = select(func.count()).select_from(TradeRow).where(*where)
        total = int(connection.scalar(count) or 0)
    records = [TradeRecord(rows.to_trade(cast(TradeRow, row)), row.realized_pnl) for row in page]
    return records, total


def closing_fills(
    connection: Connection, account_id: str, f: TradeFilter
) -> tuple[list[ClosedFill], dict[date, Decimal]]:
    """The closing fills in range, and the commission of every fill per trading day."""
    query = (
        select(TradeRow.trading_day, TradeRow.offset, TradeRow.realized_pnl, TradeRow.commission)
        .where(*_where(account_id, f))
        .order_by(TradeRow.trade_time)
    )
    closing: list[ClosedFill] = []
    commissions: dict[date, Decimal] = {}
    for row in connection.execute(query):
        day = row.trading_day
        commissions[day] = commissions.get(day, Decimal(0)) + row.commission
        if row.offset != Offset.OPEN.value:
            closing.append(ClosedFill(day, row.realized_pnl, row.commission))
    return closing, commissions


def _day_range(params: dict[str, object], since: date | None, until: date | None) -> str:
    """The view's trading-day bounds as SQL, their values put in ``params``."""
    sql = ""
    if since is not None:
        sql += " AND trading_day >= :since"
        params["since"] = since
    if until is not None:
        sql += " AND trading_day <= :until"
        params["until"] = until
    return sql


def _day(value: object) -> date:
    # SQLite hands a view's date back as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def daily_summary(
    connection: Connection, account_id: str, since_day: date | None, until_day: date | None
) -> list[DailySummary]:
    """Rows of the ``daily_trade_summary`` view, newest trading day first."""
    sql = (
        "SELECT trading_day, symbol, trade_count, buy_volume, sell_volume, turnover, "
        "commission, realized_pnl FROM daily_trade_summary WHERE account_id = :account"
    )
    params: dict[str, object] = {"account": account_id}
    sql += _day_range(params, since_day, until_day)
    result = connection.execute(text(sql + " ORDER BY trading_day DESC, symbol"), params)
    return [
        DailySummary(
            trading_day=_day(r[0]),
            symbol=r[1],
            trade_count=int(r[2]),
            buy_volume=int(r[3]),
            sell_volume=int(r[4]),
            turnover=Decimal(str(r[5])),
            commission=Decimal(str(r[6])),
            realized_pnl=Decimal(str(r[7])),
        )
        for r in result
    ]


def trigger_summary(
    connection: Connection,
    strategy_name: str | None,
    since_day: date | None,
    until_day: date | None,
) -> list[TriggerSummary]:
    """Rows of the ``strategy_trigger_summary`` view, newest trading day first."""
    counts = ", ".join(f"{name}_count" for name in (*_ACTIONS, *_RESULTS))
    sql = (
        f"SELECT strategy_name, trading_day, trigger_count, {counts} "
        "FROM strategy_trigger_summary WHERE 1 = 1"
    )
    params: dict[str, object] = {}
    if strategy_name is not None:
        sql += " AND strategy_name = :name"
        params["name"] = strategy_name
    sql += _day_range(params, since_day, until_day)
    result = connection.execute(text(sql + " ORDER BY trading_day DESC, strategy_name"), params)
    rows = []
    for r in result:
        values = [int(v) for v in r[3:]]
        rows.append(
            TriggerSummary(
                strategy_name=r[0],
                trading_day=_day(r[1]),
                trigger_count=int(r[2]),
                by_action=dict(zip(_ACTIONS, values[: len(_ACTIONS)], strict=True)),
                by_result=dict(zip(_RESULTS, values[len(_ACTIONS) :], strict=True)),
            )
        )
    return rows
