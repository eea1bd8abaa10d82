"""CtpMarketData: the CTP market-data session (``CThostFtdcMdSpi``).

It connects to the market-data fronts, logs in, subscribes the contracts asked for
and pushes their ticks, converted at the edge (``ticks.py``), to its listener.

Threads: CTP calls the SPI on its own threads, and a callback's struct lives only
for the call. Each callback copies what it needs on that thread and hands the copy
to the event loop through the ``CallbackBridge`` (``bridge.py``), which keeps the
order the callbacks came in and never blocks CTP's thread. Everything else, the
session's state included, lives on the loop.

Reconnects: when the front drops, CTP reconnects by itself and calls
``OnFrontConnected`` again; the session logs in again and subscribes everything it
had. The time without market data is reported as a gap (``MarketGap``) when the
subscriptions are back.
"""

import asyncio
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from openctp_ctp import mdapi

from arbig.clock import Clock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.tick import Tick
from arbig.gateways.ctp.bridge import CallbackBridge
from arbig.gateways.ctp.ticks import TickError, ctp_date, depth_fields, tick_from_depth

# OnFrontDisconnected's reasons (CTP's documented codes).
DISCONNECT_REASONS = {
    0x1001: "network read failed",
    0x1002: "network write failed",
    0x2001: "heartbeat timed out",
    0x2002: "heartbeat send failed",
    0x2003: "bad message from the front",
}
GAPS_KEPT = 100


class MdApi(Protocol):
    """What the session calls on ``CThostFtdcMdApi`` (a test double stands in)."""

    def RegisterSpi(self, spi: Any) -> None: ...

    def RegisterFront(self, front: str) -> None: ...

    def Init(self) -> None: ...

    def ReqUserLogin(self, request: Any, request_id: int) -> int: ...

    def SubscribeMarketData(self, symbols: list[bytes], count: int) -> int: ...

    def UnSubscribeMarketData(self, symbols: list[bytes], count: int) -> int: ...

    def Release(self) -> None: ...


MdApiFactory = Callable[[str], MdApi]
"""Makes the API given its flow-file folder (with a trailing separator)."""


def real_md_api(flow_dir: str) -> MdApi:
    """The library's market-data API."""
    api: MdApi = mdapi.CThostFtdcMdApi.CreateFtdcMdApi(flow_dir)
    return api


class MarketDataListener(Protocol):
    """Where the session's ticks and news go; called on the event loop."""

    def on_tick(self, tick: Tick) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None: ...

    def on_log(self, level: str, message: str) -> None: ...


class MdState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LOGGING_IN = "logging_in"
    READY = "ready"
    LOGIN_FAILED = "login_failed"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class MarketGap:
    """A stretch without market data: from the front's drop to the resubscription."""

    start: datetime
    end: datetime
    symbols: tuple[str, ...]
    reason: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def __str__(self) -> str:
        return (
            f"no market data for {', '.join(self.symbols) or 'no contract'} from "
            f"{self.start.isoformat()} to {self.end.isoformat()} ({self.seconds:.1f} s): "
            f"{self.reason}"
        )


@dataclass(frozen=True, slots=True)
class MdLogin:
    """What the market-data login sends (many brokers accept empty values here)."""

    broker_id: str = ""
    user_id: str = ""
    password: str = ""


class CtpMarketData(mdapi.CThostFtdcMdSpi):  # type: ignore[misc]
    """The market-data session. ``connect`` returns at once; the state follows
    through the listener's ``on_connection`` and ``state``."""

    def __init__(
        self,
        fronts: Collection[str],
        login: MdLogin,
        flow_dir: Path,
        spec_for: Callable[[str], ContractSpec],
        calendar: TradingCalendar,
        clock: Clock,
        *,
        api_factory: MdApiFactory = real_md_api,
    ) -> None:
        super().__init__()
        if not fronts:
            raise ValueError("no market-data front configured (ctp.md_fronts)")
        self._fronts = tuple(fronts)
        self._login = login
        self._flow_dir = flow_dir
        self._spec_for = spec_for
        self._calendar = calendar
        self._clock = clock
        self._api_factory = api_factory
        self._api: MdApi | None = None
        self._bridge: CallbackBridge | None = None
        self._listener: MarketDataListener | None = None
        self._symbols: dict[str, None] = {}  # subscription order kept
        self._request_id = 0
        self._down_since: datetime | None = None
        self._down_reason = ""
        self.state = MdState.IDLE
        self.trading_day: date | None = None
        self.gaps: deque[MarketGap] = deque(maxlen=GAPS_KEPT)
        self.unreadable = 0  # snapshots that could not be read as ticks
        self._day_warned: set[date] = set()
        self.last_error = ""

    # --- the loop's side ---------------------------------------------------------------

    def set_listener(self, listener: MarketDataListener) -> None:
        self._listener = listener

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._symbols)

    async def connect(self) -> None:
        """Start the API: it connects to the fronts and calls back when it has."""
        if self._api is not None:
            return
        self._bridge = CallbackBridge(asyncio.get_running_loop(), "ctp-md")
        self._flow_dir.mkdir(parents=True, exist_ok=True)
        api = self._api_factory(str(self._flow_dir) + "/")
        api.RegisterSpi(self)
        for front in self._fronts:
            api.RegisterFront(front)
        self.state = MdState.CONNECTING
        self._api = api
        self._connection(False, f"market data: connecting to {', '.join(self._fronts)}")
        api.Init()

    async def close(self) -> None:
        """Stop the API (its threads end); nothing is pushed afterwards."""
        api, self._api = self._api, None
        self.state = MdState.CLOSED
        if self._bridge is not None:
            self._bridge.close()
        if api is None:
            return
        api.RegisterSpi(None)
        await asyncio.to_thread(api.Release)

    async def subscribe(self, symbol: str) -> None:
        self._symbols[symbol] = None
        if self.state is MdState.READY:
            self._send_subscription([symbol], subscribe=True)

    async def unsubscribe(self, symbol: str) -> None:
        if symbol not in self._symbols:
            return
        del self._symbols[symbol]
        if self.state is MdState.READY:
            self._send_subscription([symbol], subscribe=False)

    def _send_subscription(self, symbols: list[str], *, subscribe: bool) -> None:
        api = self._api
        if api is None or not symbols:
            return
        encoded = [symbol.encode() for symbol in symbols]
        send = api.SubscribeMarketData if subscribe else api.UnSubscribeMarketData
        code = send(encoded, len(encoded))
        if code != 0:
            what = "subscribe" if subscribe else "unsubscribe"
            self._log("warning", f"market data: {what} {', '.join(symbols)} not sent (code {code})")

    def _front_connected(self) -> None:
        if self._api is None:
            return
        self.state = MdState.LOGGING_IN
        request = mdapi.CThostFtdcReqUserLoginField()
        request.BrokerID = self._login.broker_id
        request.UserID = self._login.user_id
        request.Password = self._login.password
        self._request_id += 1
        code = self._api.ReqUserLogin(request, self._request_id)
        if code != 0:
            self._log("warning", f"market data: login request not sent (code {code})")

    def _logged_in(self, trading_day: str, error_id: int, message: str) -> None:
        if self._api is None:
            return
        if error_id:
            self.state = MdState.LOGIN_FAILED
            self.last_error = f"market-data login refused: CTP error {error_id}: {message}"
            self._connection(False, self.last_error)
            return
        self.state = MdState.READY
        self.last_error = ""
        self.trading_day = ctp_date(trading_day) or self.trading_day
        self._send_subscription(list(self._symbols), subscribe=True)
        reason = f"market data logged in (trading day {trading_day or 'unknown'})"
        if self._down_since is not None:
            gap = MarketGap(self._down_since, self._clock.now(), self.symbols, self._down_reason)
            self.gaps.append(gap)
            self._down_since = None
            self._log("warning", f"market data gap: {gap}")
            reason += f", resubscribed {len(self._symbols)} after a gap of {gap.seconds:.1f} s"
        self._connection(True, reason)

    def _front_disconnected(self, code: int) -> None:
        if self._api is None:
            return
        why = DISCONNECT_REASONS.get(code, "unknown reason")
        self.state = MdState.DISCONNECTED
        if self._down_since is None:
            self._down_since = self._clock.now()
            self._down_reason = f"front disconnected: {why} (0x{code:04x})"
        self._connection(False, f"market-data front disconnected: {why}; CTP reconnects")

    def _tick(self, data: dict[str, Any]) -> None:
        if self._api is None or self._listener is None:
            return
        try:
            tick = tick_from_depth(data, self._spec_for, self._calendar)
        except TickError as exc:
            self.unreadable += 1
            if self.unreadable == 1 or self.unreadable % 1000 == 0:
                self._log("warning", f"market data: snapshot dropped ({self.unreadable}): {exc}")
            return
        self._check_trading_day(tick)
        self._listener.on_tick(tick)

    def _check_trading_day(self, tick: Tick) -> None:
        """Warn once per trading day when the exchange's trading day is not the calendar's:
        the calendar (and its holidays) decides sessions, night trading and expiries."""
        expected = self._calendar.trading_day(tick.datetime)
        if expected == tick.trading_day or tick.trading_day in self._day_warned:
            return
        self._day_warned.add(tick.trading_day)
        self._log(
            "warning",
            f"market data: {tick.symbol} at {tick.datetime.isoformat()} is in trading day "
            f"{tick.trading_day.isoformat()} by the exchange, {expected.isoformat()} by "
            "ARBIG's calendar: check the holidays setting",
        )

    def _subscribed(self, symbol: str, error_id: int, message: str, subscribe: bool) -> None:
        if error_id:
            what = "subscription" if subscribe else "unsubscription"
            self._log("warning", f"market data: {what} of {symbol} refused: {error_id} {message}")

    def _connection(self, connected: bool, reason: str) -> None:
        if self._listener is not None:
            self._listener.on_connection(connected, reason)

    def _log(self, level: str, message: str) -> None:
        if self._listener is not None:
            self._listener.on_log(level, message)

    def _post(self, handler: Callable[..., None], *args: Any) -> None:
        """Hand ``handler(*args)`` to the loop: from CTP's thread, in order, never
        blocking."""
        if self._bridge is not None:
            self._bridge.post(handler, *args)

    # --- CTP's threads ------------------------------------------------------------------

    def OnFrontConnected(self) -> None:
        self._post(self._front_connected)

    def OnFrontDisconnected(self, nReason: int) -> None:
        self._post(self._front_disconnected, int(nReason))

    def OnHeartBeatWarning(self, nTimeLapse: int) -> None:
        self._post(self._log, "warning", f"market data: no heartbeat for {nTimeLapse} s")

    def OnRspUserLogin(
        self, pRspUserLogin: Any, pRspInfo: Any, nRequestID: int, bIsLast: bool
    ) -> None:
        trading_day = str(pRspUserLogin.TradingDay) if pRspUserLogin is not None else ""
        error_id, message = _error(pRspInfo)
        self._post(self._logged_in, trading_day.strip(), error_id, message)

    def OnRspError(self, pRspInfo: Any, nRequestID: int, bIsLast: bool) -> None:
        error_id, message = _error(pRspInfo)
        self._post(self._log, "warning", f"market data: CTP error {error_id}: {message}")

    def OnRspSubMarketData(
        self, pSpecificInstrument: Any, pRspInfo: Any, nRequestID: int, bIsLast: bool
    ) -> None:
        symbol = str(pSpecificInstrument.InstrumentID) if pSpecificInstrument else ""
        self._post(self._subscribed, symbol, *_error(pRspInfo), True)

    def OnRspUnSubMarketData(
        self, pSpecificInstrument: Any, pRspInfo: Any, nRequestID: int, bIsLast: bool
    ) -> None:
        symbol = str(pSpecificInstrument.InstrumentID) if pSpecificInstrument else ""
        self._post(self._subscribed, symbol, *_error(pRspInfo), False)

    def OnRtnDepthMarketData(self, pDepthMarketData: Any) -> None:
        if pDepthMarketData is not None:
            self._post(self._tick, depth_fields(pDepthMarketData))


def _error(info: Any) -> tuple[int, str]:
    """(ErrorID, ErrorMsg) of a RspInfo struct; (0, "") for none. openctp-ctp decodes
    the message's GB18030 text."""
    if info is None:
        return 0, ""
    return int(info.ErrorID), str(info.ErrorMsg).strip()
