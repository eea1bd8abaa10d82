"""One batch of book rows written in one transaction, with each backend's
insert-or-ignore and upsert.

The rules that keep the book right live here: a trade id is recorded once, an
order's status never goes backwards and its traded volume never decreases, a
position leg at zero volume is deleted.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    delete,
    insert,
    literal_column,
    or_,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement

from arbig.domain.enums import OrderStatus
from arbig.storage.models import (
    AccountRow,
    BarRow,
    DailySettlementRow,
    EquitySnapshotRow,
    OrderRow,
    PositionRow,
    SettlementPriceRow,
    TradeRow,
)
from arbig.storage.prepared import prepare
from arbig.storage.rows import Row

ORDERS: Table = OrderRow.__table__  # type: ignore[assignment]
TRADES: Table = TradeRow.__table__  # type: ignore[assignment]
POSITIONS: Table = PositionRow.__table__  # type: ignore[assignment]
ACCOUNTS: Table = AccountRow.__table__  # type: ignore[assignment]
EQUITY: Table = EquitySnapshotRow.__table__  # type: ignore[assignment]
BARS: Table = BarRow.__table__  # type: ignore[assignment]
SETTLEMENTS: Table = DailySettlementRow.__table__  # type: ignore[assignment]
SETTLEMENT_PRICES: Table = SettlementPriceRow.__table__  # type: ignore[assignment]

# How far along its life an order is; a report may only move an order forwards.
TERMINAL_RANK = 3
STATUS_RANK: dict[str, int] = {
    OrderStatus.SUBMITTING: 0,
    OrderStatus.NOT_TRADED: 1,
    OrderStatus.PART_TRADED: 2,
    OrderStatus.ALL_TRADED: TERMINAL_RANK,
    OrderStatus.CANCELLED: TERMINAL_RANK,
    OrderStatus.REJECTED: TERMINAL_RANK,
}
_ORDER_KEY = ("account_id", "order_id")
# What an exchange report changes on a known order; the rest is fixed at submission.
_ORDER_PROGRESS = ("reject_reason", "update_time", "traded", "status")
_POSITION_KEY = ("account_id", "symbol", "direction")


def supersedes(new: Row, old: Row) -> bool:
    """Whether order report ``new`` may replace ``old``: a later state, or more traded
    in the same live state. A terminal order never changes."""
    new_rank, old_rank = STATUS_RANK[new["status"]], STATUS_RANK[old["status"]]
    if new_rank != old_rank:
        return new_rank > old_rank
    return new_rank < TERMINAL_RANK and new["traded"] > old["traded"]


@dataclass(slots=True)
class Batch:
    """Rows gathered from the queue, merged so each key appears once per statement."""

    orders: dict[tuple[str, str], Row] = field(default_factory=dict)
    trades: dict[tuple[str, str], Row] = field(default_factory=dict)
    positions: dict[tuple[str, str, str], Row] = field(default_factory=dict)
    accounts: dict[str, Row] = field(default_factory=dict)
    equity: list[Row] = field(default_factory=list)
    bars: dict[tuple[str, Any], Row] = field(default_factory=dict)
    settlements: dict[tuple[str, Any], Row] = field(default_factory=dict)
    settlement_prices: dict[tuple[str, Any, str], Row] = field(default_factory=dict)

    def add_order(self, row: Row) -> None:
        key = (row["account_id"], row["order_id"])
        old = self.orders.get(key)
        if old is None or supersedes(row, old):
            self.orders[key] = row

    def add_trade(self, row: Row) -> None:
        self.trades.setdefault((row["account_id"], row["trade_id"]), row)

    def add_position(self, row: Row) -> None:
        self.positions[(row["account_id"], row["symbol"], row["direction"])] = row

    def add_account(self, row: Row) -> None:
        self.accounts[row["account_id"]] = row

    def add_equity(self, row: Row) -> None:
        self.equity.append(row)

    def add_bar(self, row: Row) -> None:
        self.bars[(row["symbol"], row["start_time"])] = row

    def add_settlement(self, row: Row) -> None:
        self.settlements[(row["account_id"], row["trading_day"])] = row

    def add_settlement_price(self, row: Row) -> None:
        self.settlement_prices[(row["account_id"], row["trading_day"], row["symbol"])] = row


def _insert(table: Table, dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table)
    return sqlite.insert(table)


def _rank(column: Any) -> ColumnElement[int]:
    # Literals, not bound parameters: MySQL drivers rewrite an executemany INSERT into
    # one multi-row VALUES and cannot place parameters of the ON DUPLICATE KEY clause.
    whens: list[tuple[ColumnElement[bool], ColumnElement[int]]] = [
        (column == literal_column(f"'{status}'"), literal_column(str(rank)))
        for status, rank in STATUS_RANK.items()
    ]
    return case(*whens, else_=literal_column("0"))


def _upsert(
    table: Table,
    dialect: str,
    key: Iterable[str],
    where: Any = None,
    columns: Iterable[str] | None = None,
) -> Any:
    """INSERT ... that updates ``columns`` (all but the key) of an existing row, guarded
    by ``where(old_table, new_values)`` when given."""
    key = tuple(key)
    stmt = _insert(table, dialect)
    is_mysql = dialect in ("mysql", "mariadb")
    new = stmt.inserted if is_mysql else stmt.excluded
    if columns is None:
        columns = [c.name for c in table.columns if c.name not in (*key, "id", "create_time")]
    columns = list(columns)
    guard = None if where is None else where(table.c, new)
    if is_mysql:
        # MySQL has no WHERE on the update, so each assignment carries the guard. MySQL
        # assigns left to right and later expressions see earlier results: the guard's
        # columns (traded, then status) are assigned last, so it reads the old values.
        late = [c for c in ("traded", "status") if c in columns]
        ordered = [c for c in columns if c not in late] + late
        values = [
            (c, new[c] if guard is None else case((guard, new[c]), else_=table.c[c]))
            for c in ordered
        ]
        return stmt.on_duplicate_key_update(values)
    return stmt.on_conflict_do_update(
        index_elements=list(key), set_={c: new[c] for c in columns}, where=guard
    )


def _order_guard(old: Any, new: Any) -> ColumnElement[bool]:
    new_rank, old_rank = _rank(new.status), _rank(old.status)
    return or_(
        new_rank > old_rank,
        and_(
            new_rank == old_rank,
            old_rank < literal_column(str(TERMINAL_RANK)),
            new.traded > old.traded,
        ),
    )


def _insert_ignore(table: Table, dialect: str, key: Iterable[str]) -> Any:
    stmt = _insert(table, dialect)
    if dialect in ("mysql", "mariadb"):
        # Not INSERT IGNORE: that would also turn truncation and bad values into warnings.
        first = next(iter(key))
        return stmt.on_duplicate_key_update({first: table.c[first]})
    return stmt.on_conflict_do_nothing(index_elements=list(key))


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of a batch with its finished driver parameters."""

    sql: str
    params: list[tuple[Any, ...]]


def plan(batch: Batch, dialect: Dialect) -> list[Step]:
    """The statements that write ``batch``, parameters converted: CPU work only, so the
    writer can plan the next batch while the database runs this one."""
    name = dialect.name
    live = [row for row in batch.positions.values() if row["volume"] > 0]
    closed = [row for row in batch.positions.values() if row["volume"] <= 0]
    work: list[tuple[str, Table, Callable[[], ClauseElement], list[Row]]] = [
        (
            "orders",
            ORDERS,
            lambda: _upsert(ORDERS, name, _ORDER_KEY, _order_guard, _ORDER_PROGRESS),
            list(batch.orders.values()),
        ),
        (
            "trades",
            TRADES,
            lambda: _insert_ignore(TRADES, name, ("account_id", "trade_id")),
            list(batch.trades.values()),
        ),
        ("positions", POSITIONS, lambda: _upsert(POSITIONS, name, _POSITION_KEY), live),
        ("positions-closed", POSITIONS, _delete_positions, closed),
        (
            "accounts",
            ACCOUNTS,
            lambda: _upsert(ACCOUNTS, name, ("account_id",)),
            list(batch.accounts.values()),
        ),
        ("equity", EQUITY, lambda: insert(EQUITY), batch.equity),
        # A bar rebuilt after a restart replaces the one recorded for its minute.
        (
            "bars",
            BARS,
            lambda: _upsert(BARS, name, ("symbol", "start_time")),
            list(batch.bars.values()),
        ),
        # A day settled again (a replay at start-up) replaces its record.
        (
            "settlements",
            SETTLEMENTS,
            lambda: _upsert(SETTLEMENTS, name, ("account_id", "trading_day")),
            list(batch.settlements.values()),
        ),
        (
            "settlement-prices",
            SETTLEMENT_PRICES,
            lambda: _upsert(SETTLEMENT_PRICES, name, ("account_id", "trading_day", "symbol")),
            list(batch.settlement_prices.values()),
        ),
    ]
    steps: list[Step] = []
    for key, table, build, rows in work:
        if rows:
            prepared = prepare(key, table, build, dialect, list(rows[0]))
            steps.append(Step(prepared.sql, prepared.params(rows)))
    return steps


def _delete_positions() -> ClauseElement:
    return delete(POSITIONS).where(*(POSITIONS.c[k] == bindparam(k) for k in _POSITION_KEY))


async def execute(connection: AsyncConnection, steps: list[Step]) -> None:
    """Run planned ``steps`` in the connection's transaction; the caller commits."""
    for step in steps:
        await connection.exec_driver_sql(step.sql, step.params)
