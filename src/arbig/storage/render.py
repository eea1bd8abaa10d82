"""Tables for the database CLI: instants in exchange time, money as exact text.

On a terminal, a Rich table; piped or redirected, tab-separated lines with a header,
never cut to a width, so that ``cut``, ``awk`` and spreadsheets get every character.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from arbig.domain.calendar import EXCHANGE_TZ

Column = tuple[str, str | Callable[[Any], Any]]
"""A header and the attribute (or function) giving the cell."""


def show_time(moment: datetime | None) -> str:
    """An instant as exchange time (Asia/Shanghai), the clock the trader reads."""
    if moment is None:
        return ""
    return moment.astimezone(EXCHANGE_TZ).strftime("%Y-%m-%d %H:%M:%S")


def _time(name: str) -> Callable[[Any], str]:
    return lambda item: show_time(getattr(item, name))


ACCOUNTS: Sequence[Column] = (
    ("account", "account_id"),
    ("balance", "balance"),
    ("available", "available"),
    ("margin", "margin"),
    ("frozen", "frozen_margin"),
    ("unrealized", "unrealized_pnl"),
    ("close profit today", "close_profit"),
    ("fee today", "today_commission"),
    ("realized total", "realized_pnl"),
    ("fee total", "commission"),
    ("trading day", "trading_day"),
    ("updated", _time("update_time")),
)
POSITIONS: Sequence[Column] = (
    ("account", "account_id"),
    ("symbol", "symbol"),
    ("direction", "direction"),
    ("volume", "volume"),
    ("today", "volume_today"),
    ("yesterday", "volume_yesterday"),
    ("avg price", "avg_price"),
    ("last", "current_price"),
    ("unrealized", "unrealized_pnl"),
    ("margin", "margin"),
)
SETTLEMENTS: Sequence[Column] = (
    ("account", "account_id"),
    ("trading day", "trading_day"),
    ("pre-balance", "pre_balance"),
    ("deposit", "deposit"),
    ("withdraw", "withdraw"),
    ("close profit", "close_profit"),
    ("position profit", "position_profit"),
    ("fee", "commission"),
    ("balance", "balance"),
)
ORDERS: Sequence[Column] = (
    ("order", "order_id"),
    ("time", _time("created_at")),
    ("symbol", "symbol"),
    ("side", "side"),
    ("offset", "offset"),
    ("price", "price"),
    ("volume", "volume"),
    ("traded", "traded"),
    ("status", "status"),
)
TRADES: Sequence[Column] = (
    ("trade", "trade_id"),
    ("order", "order_id"),
    ("time", _time("datetime")),
    ("trading day", "trading_day"),
    ("symbol", "symbol"),
    ("side", "side"),
    ("offset", "offset"),
    ("price", "price"),
    ("volume", "volume"),
    ("fee", "commission"),
)
TRIGGERS: Sequence[Column] = (
    ("strategy", "strategy_name"),
    ("time", _time("trigger_time")),
    ("condition", "trigger_condition"),
    ("price", "trigger_price"),
    ("action", "action_type"),
    ("result", "execution_result"),
    ("order", "order_id"),
    ("error", "error_message"),
)
LOGS: Sequence[Column] = (
    ("time", _time("time")),
    ("level", "level"),
    ("source", "source"),
    ("message", "message"),
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Stored with four places; shown with the places that matter, at least two.
        # Adding zero turns a negative zero into zero: "-0.00" is never shown.
        whole, _, fraction = f"{(value + 0).normalize():f}".partition(".")
        return f"{whole}.{fraction.ljust(2, '0')}"
    return str(value)


def print_objects(
    console: Console, title: str, columns: Sequence[Column], items: Iterable[Any]
) -> None:
    """One table of ``items``; a plain line when there is nothing to show."""
    rows = [
        [field(item) if callable(field) else getattr(item, field) for _, field in columns]
        for item in items
    ]
    print_rows(console, title, [header for header, _ in columns], rows)


def print_rows(
    console: Console, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """One table of plain rows; numbers right-aligned."""
    if not rows:
        console.print(f"{title}: none")
        return
    if not console.is_terminal:
        lines = ["\t".join(headers)]
        lines += ["\t".join(_cell(value).replace("\t", " ") for value in row) for row in rows]
        console.file.write("\n".join(lines) + "\n")
        return
    table = Table(title=title, title_justify="left")
    for index, header in enumerate(headers):
        numeric = all(isinstance(row[index], int | Decimal) for row in rows)
        table.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
