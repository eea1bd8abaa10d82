"""The simulator's own state, kept across restarts like a broker keeps its books.

One JSON file in the data folder (``sim-exchange.json``): the account, the
position lots, the trading day's orders and trades, the id counters and each
market's price-path state. It is written atomically (a temporary file, fsync,
then ``os.replace``), so a crash leaves the old file or the new one, never half
of one. Decimals are written as strings so nothing is lost. The orders, trades
and price paths are written and read by the codec (orjson out, msgspec back in),
field for field as their dataclasses declare them.
"""

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from arbig.codec import convert
from arbig.domain.account import AccountBook
from arbig.domain.enums import Direction
from arbig.domain.order import Order
from arbig.domain.position import Lot, PositionBook
from arbig.domain.trade import Trade
from arbig.gateways.sim.pricepath import PathState

STATE_FILE_NAME = "sim-exchange.json"
FORMAT_VERSION = 1


class StateFileError(RuntimeError):
    """The state file exists but cannot be read as simulator state."""


@dataclass(slots=True)
class SimState:
    """The broker side of the simulated account."""

    account: AccountBook
    positions: PositionBook = field(default_factory=PositionBook)
    orders: dict[str, Order] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)
    markets: dict[str, PathState] = field(default_factory=dict)
    session: int = 0
    order_seq: int = 0
    trade_seq: int = 0
    trading_day: date | None = None

    @classmethod
    def fresh(cls, account_id: str, capital: Decimal) -> "SimState":
        return cls(account=AccountBook(account_id=account_id, capital=capital))


def save_state(state: SimState, path: Path) -> None:
    """Write ``state`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(dumps(state))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_state(path: Path) -> SimState | None:
    """The state saved at ``path``, or None when there is no file yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return loads(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise StateFileError(f"{path}: not a readable simulator state file ({exc})") from exc


def dumps(state: SimState) -> bytes:
    account = state.account
    document = {
        "version": FORMAT_VERSION,
        "session": state.session,
        "order_seq": state.order_seq,
        "trade_seq": state.trade_seq,
        "trading_day": state.trading_day,
        "account": {
            "account_id": account.account_id,
            "capital": account.capital,
            "realized_pnl": account.realized_pnl,
            "commission": account.commission,
            "deposit": account.deposit,
            "withdraw": account.withdraw,
            "transfers": account.transfers,
        },
        "positions": [
            {
                "symbol": leg.symbol,
                "direction": leg.direction,
                "today": [[lot.price, lot.volume] for lot in leg.today],
                "yesterday": [[lot.price, lot.volume] for lot in leg.yesterday],
            }
            for leg in state.positions.legs.values()
            if leg.volume
        ],
        "orders": list(state.orders.values()),
        "trades": state.trades,
        "markets": list(state.markets.values()),
    }
    return orjson.dumps(document, default=_encode, option=orjson.OPT_INDENT_2)


def loads(raw: bytes) -> SimState:
    document = orjson.loads(raw)
    if document.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown format version {document.get('version')!r}")
    account = convert(document["account"], AccountBook)
    positions = PositionBook()
    for item in document["positions"]:
        leg = positions.leg(item["symbol"], Direction(item["direction"]))
        leg.restore(
            (Lot(Decimal(p), int(v)) for p, v in item["today"]),
            (Lot(Decimal(p), int(v)) for p, v in item["yesterday"]),
        )
    orders = convert(document["orders"], list[Order])
    markets = convert(document["markets"], list[PathState])
    day = document["trading_day"]
    return SimState(
        account=account,
        positions=positions,
        orders={order.order_id: order for order in orders},
        trades=convert(document["trades"], list[Trade]),
        markets={market.symbol: market for market in markets},
        session=int(document["session"]),
        order_seq=int(document["order_seq"]),
        trade_seq=int(document["trade_seq"]),
        trading_day=date.fromisoformat(day) if day else None,
    )


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):  # the random generator's state
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__}")
