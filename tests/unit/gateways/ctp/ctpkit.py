"""Test helpers for the CTP gateway: real openctp_ctp structs as a broker fills them."""

import asyncio
import ctypes
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openctp_ctp import tdapi

from arbig.clock import LiveClock
from arbig.ctpconfig import CtpSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport
from arbig.gateways.ctp.md import MarketDataListener
from arbig.gateways.ctp.settings import resolve_login
from arbig.gateways.ctp.trader import TraderSession


def put_gb18030(struct: object, name: str, text: str) -> None:
    """Write ``text`` into a char field in GB18030, as a CTP front sends it.

    Assigning a str through SWIG writes UTF-8, so the bytes go into the struct's memory
    directly, at the field's offset (found by writing a marker through the setter and
    reading forward only until it shows up)."""
    marker = "\x01arbig\x02"
    setattr(struct, name, marker)
    address = int(struct.this)  # type: ignore[attr-defined]
    size = 64
    while (offset := ctypes.string_at(address, size).find(marker.encode())) < 0:
        size += 64
    raw = text.encode("gb18030") + b"\0"
    ctypes.memmove(address + offset, raw, len(raw))


def gb18030_rsp_info(error_id: int, message: str) -> tdapi.CThostFtdcRspInfoField:
    """An RspInfo with ``message`` in GB18030."""
    info = tdapi.CThostFtdcRspInfoField()
    info.ErrorID = error_id
    put_gb18030(info, "ErrorMsg", message)
    return info


# --- a session wired to a fake front -----------------------------------------------------


class Events:
    """Records what the session reports, in order."""

    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.trades: list[Trade] = []
        self.accounts: list[AccountReport] = []
        self.connections: list[tuple[bool, str]] = []
        self.logs: list[tuple[str, str]] = []
        self.settlements: list[tuple[date, str]] = []

    def on_order(self, order: Order) -> None:
        self.orders.append(order)

    def on_trade(self, trade: Trade) -> None:
        self.trades.append(trade)

    def on_account(self, account: AccountReport) -> None:
        self.accounts.append(account)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.connections.append((connected, reason))

    def on_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    def on_settlement(self, trading_day: date, text: str) -> None:
        self.settlements.append((trading_day, text))

    def last_order(self, order_id: str) -> Order:
        return [order for order in self.orders if order.order_id == order_id][-1]


def ctp_settings(**changes: Any) -> CtpSettings:
    values: dict[str, Any] = {
        "td_fronts": ["tcp://127.0.0.1:1"],
        "md_fronts": ["tcp://127.0.0.1:2"],
        "broker_id": "9999",
        "investor_id": "123456",
        "app_id": "simnow_client_test",
        "password": "right-password",
        "auth_code": "0000000000000000",
        "capital": "1000000",
        "query_interval_s": 0,
        "step_timeout_s": 10,
    }
    values.update(changes)
    return CtpSettings.model_validate(values)


def make_session(
    front: Any, tmp_path: Path, events: Events, settings: CtpSettings | None = None
) -> TraderSession:
    settings = settings or ctp_settings()
    return TraderSession(
        resolve_login(settings),
        settings,
        tmp_path / "flow",
        TradingCalendar.gold(),
        LiveClock(),
        events,
        symbols=lambda: ["au2606"],
        api_factory=front.api,
    )


async def eventually(condition: Callable[[], object], timeout_s: float = 20.0) -> None:
    """Wait for ``condition`` (generous: the test machine is loaded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


class MarketData:
    """Stands in for md.CtpMarketData: logs in when connected, records subscriptions."""

    def __init__(self) -> None:
        self.listener: MarketDataListener | None = None
        self.subscribed: list[str] = []
        self.closed = False

    def set_listener(self, listener: MarketDataListener) -> None:
        self.listener = listener

    async def connect(self) -> None:
        assert self.listener is not None
        asyncio.get_running_loop().call_soon(self.listener.on_connection, True, "logged in")

    async def close(self) -> None:
        self.closed = True

    async def subscribe(self, symbol: str) -> None:
        self.subscribed.append(symbol)

    async def unsubscribe(self, symbol: str) -> None:
        self.subscribed.remove(symbol)
