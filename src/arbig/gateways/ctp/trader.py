"""The trader session: CTP's session steps as a state machine on the event loop.

front connected -> authenticate -> login -> settlement (query, store, confirm) ->
instruments -> account -> positions -> rates (margin, commission, limit prices of the
traded contracts) -> orders -> trades -> trading. Each step waits for CTP's answer at
most ``ctp.step_timeout_s``; queries keep CTP's pace (one a second on the trader front)
and are retried when CTP says its flow limit is reached.

When the front drops, CTP reconnects by itself; the session then runs again from
authentication with a new FrontID/SessionID. The day's orders and trades come again
(replayed by the private topic and by the queries) and the book takes each once. An
order sent just before the drop that the broker does not list afterwards never reached
it: it is rejected with that reason. A refused authentication or login is final until
the operator restarts: retrying a wrong password gets an account locked.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from arbig.clock import Clock
from arbig.ctpconfig import CtpSettings
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.enums import Offset, OrderStatus, OrderType
from arbig.domain.order import Order, OrderRequest
from arbig.domain.session import SessionStep, StepState
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport, GatewayError, PositionReport
from arbig.gateways.ctp import fields as build
from arbig.gateways.ctp.book import TraderBook, order_id_for
from arbig.gateways.ctp.bridge import CallbackBridge, Fields
from arbig.gateways.ctp.convert import (
    account_report,
    ctp_date,
)
from arbig.gateways.ctp.errors import request_failure, rsp_error
from arbig.gateways.ctp.positions import position_reports
from arbig.gateways.ctp.requests import Refused, RequestDesk, StepFailed
from arbig.gateways.ctp.settings import CtpLogin
from arbig.gateways.ctp.tables import (
    FUTURES,
    CommissionRate,
    Instrument,
    LimitPrices,
    MarginRate,
    QueriedTables,
)

STEPS = (
    "front",
    "authenticate",
    "login",
    "settlement",
    "instruments",
    "account",
    "positions",
    "rates",
    "orders",
    "trades",
)
_FATAL_STEPS = frozenset({"authenticate", "login"})
_TOPIC = {"restart": 0, "resume": 1, "quick": 2}  # THOST_TERT_*
_RETRY_AFTER_S = 10.0  # a step that timed out is tried again (the front is still up)

# OnFrontDisconnected's reasons (ThostFtdcTraderApi.h)
_DISCONNECT_REASONS = {
    0x1001: "network read failed",
    0x1002: "network write failed",
    0x2001: "heartbeat receive timed out",
    0x2002: "heartbeat send failed",
    0x2003: "the front sent a bad message",
}


class TraderApi(Protocol):
    """What the session uses of ``tdapi.CThostFtdcTraderApi`` (a test double stands in)."""

    def RegisterSpi(self, spi: Any) -> None: ...
    def RegisterFront(self, front: str) -> None: ...
    def SubscribePrivateTopic(self, mode: int) -> None: ...
    def SubscribePublicTopic(self, mode: int) -> None: ...
    def Init(self) -> None: ...
    def Release(self) -> None: ...
    def ReqAuthenticate(self, field: Any, request_id: int) -> int: ...
    def ReqUserLogin(self, field: Any, request_id: int) -> int: ...
    def ReqQrySettlementInfo(self, field: Any, request_id: int) -> int: ...
    def ReqSettlementInfoConfirm(self, field: Any, request_id: int) -> int: ...
    def ReqQryInstrument(self, field: Any, request_id: int) -> int: ...
    def ReqQryInstrumentMarginRate(self, field: Any, request_id: int) -> int: ...
    def ReqQryInstrumentCommissionRate(self, field: Any, request_id: int) -> int: ...
    def ReqQryDepthMarketData(self, field: Any, request_id: int) -> int: ...
    def ReqQryTradingAccount(self, field: Any, request_id: int) -> int: ...
    def ReqQryInvestorPosition(self, field: Any, request_id: int) -> int: ...
    def ReqQryOrder(self, field: Any, request_id: int) -> int: ...
    def ReqQryTrade(self, field: Any, request_id: int) -> int: ...
    def ReqOrderInsert(self, field: Any, request_id: int) -> int: ...
    def ReqOrderAction(self, field: Any, request_id: int) -> int: ...


ApiFactory = Callable[[str], TraderApi]
"""flow folder (ending in /) -> a trader API."""


def default_api(flow_dir: str) -> TraderApi:
    from openctp_ctp import tdapi

    api: TraderApi = tdapi.CThostFtdcTraderApi.CreateFtdcTraderApi(flow_dir)
    return api


class TraderEvents(Protocol):
    """Where the session reports; called on the event loop."""

    def on_order(self, order: Order) -> None: ...
    def on_trade(self, trade: Trade) -> None: ...
    def on_account(self, account: AccountReport) -> None: ...
    def on_connection(self, connected: bool, reason: str) -> None: ...
    def on_log(self, level: str, message: str) -> None: ...
    def on_settlement(self, trading_day: date, text: str) -> None: ...


class TraderSession:
    """One CTP trader connection and its session state. See the module docstring."""

    def __init__(
        self,
        login: CtpLogin,
        options: CtpSettings,
        flow_dir: Path,
        calendar: TradingCalendar,
        clock: Clock,
        events: TraderEvents,
        *,
        symbols: Callable[[], Iterable[str]],
        fallback_fee: Callable[[str, Offset, Decimal, int], Decimal] | None = None,
        api_factory: ApiFactory = default_api,
    ) -> None:
        self._login = login
        self._options = options
        self._flow_dir = flow_dir
        self._calendar = calendar
        self._clock = clock
        self._events = events
        self._symbols = symbols
        self._fallback_fee = fallback_fee
        self._api_factory = api_factory
        self._api: TraderApi | None = None
        self._bridge: CallbackBridge | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._desk = RequestDesk(self._live_api, options.query_interval_s)
        self._order_ref = 0
        self._front_id = 0
        self._session_id = 0
        self._dropped_at: datetime | None = None
        self.connected = False
        self.trading = False
        self.fatal: str | None = None
        self.trading_day: date | None = None
        self.steps = {name: SessionStep(name, StepState.WAITING) for name in STEPS}
        self.tables = QueriedTables()
        self.book = TraderBook(calendar, self._fee, self._now)
        self.positions: list[PositionReport] = []
        self.account: AccountReport | None = None
        self.settlement = ""
        self.changed = asyncio.Event()  # set on every step change (the check waits on it)

    # --- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Create the API and connect (CTP's threads start here). Returns at once."""
        from arbig.gateways.ctp.spi import TraderSpi

        self._flow_dir.mkdir(parents=True, exist_ok=True)
        self._bridge = CallbackBridge(asyncio.get_running_loop(), "ctp-trader")
        api = self._api = self._api_factory(str(self._flow_dir) + "/")
        self._spi = TraderSpi(self, self._bridge)
        api.RegisterSpi(self._spi)
        for front in self._login.td_fronts:
            api.RegisterFront(front)
        api.SubscribePrivateTopic(_TOPIC[self._options.private_topic])
        api.SubscribePublicTopic(_TOPIC["quick"])
        self._set("front", StepState.RUNNING, "connecting to " + ", ".join(self._login.td_fronts))
        api.Init()

    async def close(self) -> None:
        """Stop: no callback runs after this returns; CTP's threads are released."""
        if self._bridge is not None:
            self._bridge.close()
        if self._retry is not None:
            self._retry.cancel()
        await self._stop_run()
        api, self._api = self._api, None
        if api is not None:
            api.RegisterSpi(None)
            # Release joins CTP's threads: not on the loop.
            await asyncio.wait_for(asyncio.to_thread(api.Release), 10)
        self.connected = self.trading = False

    # --- callbacks (on the loop, posted by the SPI) ---------------------------------------
    def on_front_connected(self) -> None:
        self.connected = True
        self._set("front", StepState.DONE, "connected")
        if self.fatal is not None:
            self._events.on_log("error", f"CTP front is back; not logging in again: {self.fatal}")
            return
        self._begin()

    def on_front_disconnected(self, reason: int) -> None:
        text = _DISCONNECT_REASONS.get(reason, f"reason {reason:#x}")
        was_trading = self.trading
        self.connected = self.trading = False
        if was_trading:
            self._dropped_at = self._now()
        self._desk.fail_all("the trader front disconnected")
        if self._run_task is not None:
            self._run_task.cancel()
        for name in STEPS[1:]:
            if self.steps[name].state is not StepState.FAILED or name not in _FATAL_STEPS:
                self._set(name, StepState.WAITING, "")
        self._set("front", StepState.FAILED, f"disconnected: {text}; CTP reconnects by itself")
        self._events.on_connection(False, f"CTP trader front disconnected: {text}")

    def on_heartbeat_warning(self, lapse: int) -> None:
        self._events.on_log("warning", f"CTP trader front silent for {lapse} s")

    def on_response(
        self, request_id: int, data: Fields | None, info: Fields | None, is_last: bool
    ) -> None:
        self._desk.answer(request_id, data, info, is_last)

    def on_rtn_order(self, fields: Fields) -> None:
        order, released = self.book.on_order(fields)
        if order is not None:
            self._events.on_order(order)
        for trade in released:
            self._events.on_trade(trade)

    def on_rtn_trade(self, fields: Fields) -> None:
        trade = self.book.on_trade(fields)
        if trade is not None:
            self._events.on_trade(trade)

    def on_order_refused(self, fields: Fields | None, info: Fields | None) -> None:
        error = rsp_error(info)
        if fields is None or error is None or self.trading_day is None:
            return
        order_id = order_id_for(
            self.trading_day, self._front_id, self._session_id, fields["OrderRef"]
        )
        order = self.book.reject(order_id, f"refused by the broker: {error}")
        if order is not None:
            self._events.on_order(order)

    def on_cancel_refused(self, fields: Fields | None, info: Fields | None) -> None:
        error = rsp_error(info)
        if error is None:
            return
        what = fields.get("OrderSysID", "").strip() or fields.get("OrderRef", "") if fields else ""
        self._events.on_log("warning", f"cancel of order {what} refused: {error}")

    # --- commands -------------------------------------------------------------------------
    def send_order(self, request: OrderRequest) -> Order:
        """Send ``request``; the submitting order (or a rejected one, with the reason,
        when it could not leave). Its later reports come through the events."""
        api = self._ready_api()
        assert self.trading_day is not None
        self._order_ref += 1
        ref = str(self._order_ref)
        order_id = order_id_for(self.trading_day, self._front_id, self._session_id, ref)
        order = self.book.record_sent(order_id, request, self._now())
        if request.order_type is not OrderType.LIMIT:
            rejected = self.book.reject(order_id, "CTP orders are limit orders here")
            return rejected or order
        code = api.ReqOrderInsert(
            build.input_order(self._login, request, ref), self._desk.next_id()
        )
        failure = request_failure(code)
        if failure is not None:
            return self.book.reject(order_id, f"not sent: {failure}") or order
        return order

    def cancel_order(self, order_id: str) -> None:
        """Ask CTP to cancel: by exchange and OrderSysID once the exchange numbered the
        order, by FrontID/SessionID/OrderRef before."""
        api = self._ready_api()
        order = self.book.orders.get(order_id)
        if order is None:
            raise GatewayError(f"unknown order {order_id}")
        if order.status.is_terminal:
            raise GatewayError(f"order {order_id} is already {order.status}")
        _day, front, session, ref = order_id.split(".", 3)
        field = build.cancel(
            self._login,
            order,
            sys_id=self.book.sys_id(order_id),
            front_id=int(front),
            session_id=int(session),
            order_ref=ref,
        )
        failure = request_failure(api.ReqOrderAction(field, self._desk.next_id()))
        if failure is not None:
            raise GatewayError(f"cancel of {order_id} not sent: {failure}")

    async def query_account(self) -> AccountReport:
        """The broker's account now (GatewayError when CTP cannot answer)."""
        return self._take_account(
            await self._desk.ask(
                "account",
                "ReqQryTradingAccount",
                build.account_query(self._login),
                self._options.step_timeout_s,
            )
        )

    async def query_positions(self) -> list[PositionReport]:
        """The broker's positions now (GatewayError when CTP cannot answer)."""
        rows = await self._desk.ask(
            "positions",
            "ReqQryInvestorPosition",
            build.position_query(self._login),
            self._options.step_timeout_s,
        )
        self.positions = position_reports(rows, self.tables.instruments)
        return self.positions

    def _take_account(self, rows: list[Fields]) -> AccountReport:
        if not rows:
            raise StepFailed("account", "CTP answered the account query with no account")
        self.account = account_report(rows[0], self._login.investor_id)
        return self.account

    # --- the session ----------------------------------------------------------------------
    def _begin(self) -> None:
        if self._run_task is not None and not self._run_task.done():
            self._run_task.cancel()
        self._run_task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        steps: list[tuple[str, Callable[[], Awaitable[str]]]] = [
            ("authenticate", self._authenticate),
            ("login", self._log_in),
            ("settlement", self._settle),
            ("instruments", self._instruments),
            ("account", self._account),
            ("positions", self._positions),
            ("rates", self._rates),
            ("orders", self._orders),
            ("trades", self._trades),
        ]
        for name, step in steps:
            self._set(name, StepState.RUNNING, "")
            try:
                async with asyncio.timeout(self._options.step_timeout_s):
                    detail = await step()
            except TimeoutError:
                self._failed(name, f"no answer within {self._options.step_timeout_s:g} s")
                return
            except Refused as exc:
                self._failed(name, str(exc.error))
                return
            except StepFailed as exc:
                self._failed(name, exc.reason)
                return
            self._set(name, StepState.DONE, detail)
        self.trading = True
        gap = self._reconnect_report()
        self._events.on_connection(
            True, f"CTP trading, trading day {self.trading_day:%Y-%m-%d}{gap}"
        )
        if self.account is not None:
            self._events.on_account(self.account)

    def _failed(self, name: str, reason: str) -> None:
        self._set(name, StepState.FAILED, reason)
        message = f"CTP session step {name} failed: {reason}"
        if name in _FATAL_STEPS and "no answer" not in reason:
            self.fatal = message
            message += " (not retried: fix the settings and restart)"
        elif self.connected:
            self._retry = asyncio.get_running_loop().call_later(_RETRY_AFTER_S, self._again)
            message += f" (tried again in {_RETRY_AFTER_S:g} s)"
        self._events.on_log("error", message)
        self._events.on_connection(False, message)

    def _again(self) -> None:
        if self.connected and not self.trading and self.fatal is None:
            self._begin()

    async def _authenticate(self) -> str:
        if not self._login.app_id:
            return "skipped: no app id configured"
        rows = await self._desk.request(
            "authenticate", "ReqAuthenticate", build.authenticate(self._login)
        )
        return f"app {rows[0]['AppID']}" if rows else "authenticated"

    async def _log_in(self) -> str:
        rows = await self._desk.request("login", "ReqUserLogin", build.login(self._login))
        if not rows:
            raise StepFailed("login", "CTP answered the login with nothing")
        answer = rows[0]
        self._front_id, self._session_id = int(answer["FrontID"]), int(answer["SessionID"])
        self.trading_day = ctp_date(answer["TradingDay"])
        if self.trading_day is None:
            raise StepFailed(
                "login", f"no trading day in the login answer: {answer['TradingDay']!r}"
            )
        max_ref = answer["MaxOrderRef"].strip()
        self._order_ref = int(max_ref) if max_ref.isdigit() else 0
        return (
            f"trading day {self.trading_day:%Y-%m-%d}, front {self._front_id}, "
            f"session {self._session_id}"
        )

    async def _settle(self) -> str:
        rows = await self._desk.query(
            "settlement", "ReqQrySettlementInfo", build.settlement_query(self._login)
        )
        self.settlement = _statement(rows)
        assert self.trading_day is not None
        self._events.on_settlement(self.trading_day, self.settlement)
        await self._desk.request(
            "settlement", "ReqSettlementInfoConfirm", build.settlement_confirm(self._login)
        )
        return f"statement of {len(self.settlement)} characters confirmed"

    async def _instruments(self) -> str:
        rows = await self._desk.query("instruments", "ReqQryInstrument", build.instrument_query())
        instruments = {
            row["InstrumentID"]: Instrument.from_fields(row)
            for row in rows
            if row["ProductClass"] == FUTURES
        }
        self.tables.instruments = instruments
        return f"{len(instruments)} futures contracts"

    async def _account(self) -> str:
        account = self._take_account(
            await self._desk.query(
                "account", "ReqQryTradingAccount", build.account_query(self._login)
            )
        )
        return f"balance {account.balance}, available {account.available}"

    async def _positions(self) -> str:
        rows = await self._desk.query(
            "positions", "ReqQryInvestorPosition", build.position_query(self._login)
        )
        positions = self.positions = position_reports(rows, self.tables.instruments)
        return f"{len(positions)} position legs"

    async def _rates(self) -> str:
        symbols = dict.fromkeys([*self._symbols(), *(p.symbol for p in self.positions)])
        for symbol in symbols:
            if symbol not in self.tables.instruments:
                self._events.on_log("warning", f"the broker does not list {symbol}")
                continue
            rows = await self._desk.query(
                "rates",
                "ReqQryInstrumentMarginRate",
                build.margin_query(self._login, symbol),
            )
            if rows:
                self.tables.margin[symbol] = MarginRate.from_fields(rows[0])
            rows = await self._desk.query(
                "rates",
                "ReqQryInstrumentCommissionRate",
                build.commission_query(self._login, symbol),
            )
            for row in rows:  # answered per instrument or per product
                self.tables.commission[row["InstrumentID"] or symbol] = CommissionRate.from_fields(
                    row
                )
            rows = await self._desk.query(
                "rates", "ReqQryDepthMarketData", build.quote_query(symbol)
            )
            if rows:
                self.tables.limits[symbol] = LimitPrices.from_fields(rows[0])
        return f"rates of {', '.join(symbols) or 'no contract'}"

    async def _orders(self) -> str:
        rows = await self._desk.query("orders", "ReqQryOrder", build.order_query(self._login))
        listed: set[str] = set()
        for row in rows:
            self.on_rtn_order(row)
            day = ctp_date(row["TradingDay"]) or self.trading_day
            assert day is not None
            listed.add(order_id_for(day, row["FrontID"], row["SessionID"], row["OrderRef"]))
        lost = [
            order_id
            for order_id, order in self.book.orders.items()
            if order.status is OrderStatus.SUBMITTING
            and order_id in self.book.sent
            and order_id not in listed
        ]
        for order_id in lost:
            rejected = self.book.reject(
                order_id, "never reached the broker: the connection dropped as it was sent"
            )
            if rejected is not None:
                self._events.on_order(rejected)
        working = sum(1 for order in self.book.orders.values() if order.is_active)
        return f"{len(rows)} orders today, {working} working" + (
            f", {len(lost)} lost in the disconnect" if lost else ""
        )

    async def _trades(self) -> str:
        rows = await self._desk.query("trades", "ReqQryTrade", build.trade_query(self._login))
        for row in rows:
            self.on_rtn_trade(row)
        waiting = self.book.waiting_trades
        if waiting:
            self._events.on_log("warning", f"{waiting} trades name an order CTP has not reported")
        return f"{len(rows)} trades today"

    def _reconnect_report(self) -> str:
        dropped, self._dropped_at = self._dropped_at, None
        if dropped is None:
            return ""
        return (
            f"; reconnected after {(self._now() - dropped).total_seconds():.0f} s, the day replayed"
        )

    # --- requests -------------------------------------------------------------------------
    def _live_api(self) -> TraderApi | None:
        return self._api if self.connected else None

    async def _stop_run(self) -> None:
        task, self._run_task = self._run_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _ready_api(self) -> TraderApi:
        if self._api is None or not self.trading:
            where = next(
                (step for step in self.steps.values() if step.state is not StepState.DONE), None
            )
            state = f"{where.name} {where.state}" if where else "closed"
            raise GatewayError(f"the CTP session is not trading (step {state})")
        return self._api

    # --- helpers --------------------------------------------------------------------------
    def _set(self, name: str, state: StepState, detail: str) -> None:
        self.steps[name] = SessionStep(name, state, detail, self._now())
        self.changed.set()

    def _now(self) -> datetime:
        return to_exchange_time(self._clock.now())

    def _fee(self, symbol: str, offset: Offset, fill_price: Decimal, volume: int) -> Decimal:
        fee = self.tables.fee(symbol, offset, fill_price, volume)
        if fee is None and self._fallback_fee is not None:
            return self._fallback_fee(symbol, offset, fill_price, volume)
        return fee if fee is not None else Decimal(0)


def _statement(rows: list[Fields]) -> str:
    """The settlement statement from its chunks. A chunk may end inside a GB18030
    character (openctp-ctp then hands over bytes), so the chunks are joined as bytes
    and decoded once."""
    raw = b"".join(
        row["Content"] if isinstance(row["Content"], bytes) else row["Content"].encode("gb18030")
        for row in rows
    )
    return raw.decode("gb18030", errors="replace")
