"""CtpGateway: the live CTP account as an ARBIG gateway (``gateway = "ctp"``).

It composes the trader session (``trader.TraderSession``: orders, trades, account,
positions, the session steps) with the market-data session (``md.CtpMarketData``:
ticks). Both run CTP's threads and hand their callbacks to the event loop; the
listener is only ever called on the loop. The gateway counts as connected while the
trader session trades and the market data is logged in; each reconnects by itself.

Import this module only after ``environment.ctp_problems`` came back empty: it loads
openctp-ctp, which aborts the process without the zh_CN.GB18030 locale.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from arbig.clock import Clock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Offset
from arbig.domain.order import Order, OrderRequest
from arbig.domain.session import SessionStep, SettlementStatement, StepState
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.base import (
    AccountReport,
    GatewayError,
    GatewayListener,
    PositionReport,
    StatementSink,
    TradingAccount,
)
from arbig.gateways.ctp.md import CtpMarketData, MarketDataListener, MdLogin
from arbig.gateways.ctp.rates import broker_tables
from arbig.gateways.ctp.settings import resolve_login
from arbig.gateways.ctp.tables import QueriedTables
from arbig.gateways.ctp.trader import ApiFactory, TraderSession, default_api

ACCOUNT_REFRESH_S = 2.0  # after fills, the broker's account is asked again at most this often


class MarketData(Protocol):
    """What the gateway needs of the market-data side (``md.CtpMarketData``)."""

    def set_listener(self, listener: MarketDataListener) -> None: ...
    async def connect(self) -> None: ...
    async def close(self) -> None: ...
    async def subscribe(self, symbol: str) -> None: ...
    async def unsubscribe(self, symbol: str) -> None: ...


class _NoListener:
    def on_tick(self, tick: Tick) -> None: ...
    def on_order(self, order: Order) -> None: ...
    def on_trade(self, trade: Trade) -> None: ...
    def on_account(self, account: AccountReport) -> None: ...
    def on_connection(self, connected: bool, reason: str) -> None: ...
    def on_log(self, level: str, message: str) -> None: ...


def flow_dir(settings: Settings) -> Path:
    """Where CTP keeps its flow files: ``ctp.flow_dir`` or ``<data_dir>/ctp``."""
    return settings.ctp.flow_dir or settings.data_dir / "ctp"


class CtpGateway:
    """Implements ``arbig.gateways.base.Gateway`` over a CTP broker connection."""

    name = "ctp"

    def __init__(
        self,
        settings: Settings,
        spec_for: Callable[[str], ContractSpec],
        calendar: TradingCalendar,
        clock: Clock,
        *,
        market_data: MarketData | None = None,
        api_factory: ApiFactory = default_api,
        statements: StatementSink | None = None,
    ) -> None:
        """``market_data``: the market-data side; the CTP one from the settings if None.
        ``statements``: where each confirmed settlement statement is kept."""
        self._settings = settings
        self._spec_for = spec_for
        self._login = login = resolve_login(settings.ctp)
        self._listener: GatewayListener = _NoListener()
        self._subscribed: dict[str, None] = {}
        self._refresh: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._md_up = False
        self._md_reason = "not connected"
        self._td_reason = "not connected"
        self._settlement: SettlementStatement | None = None
        self._statements = statements
        self._clock = clock
        folder = flow_dir(settings)
        self._trader = TraderSession(
            login,
            settings.ctp,
            folder / "td",
            calendar,
            clock,
            self,
            symbols=self._traded_symbols,
            fallback_fee=self._configured_fee,
            api_factory=api_factory,
        )
        self._md: MarketData = market_data or CtpMarketData(
            login.md_fronts,
            MdLogin(login.broker_id, login.user_id, login.password),
            folder / "md",
            spec_for,
            calendar,
            clock,
        )
        self._md.set_listener(_MarketDataEvents(self))

    # --- the Gateway protocol -------------------------------------------------------------
    def account(self) -> TradingAccount:
        return TradingAccount(self._login.investor_id, self._login.capital)

    def set_listener(self, listener: GatewayListener) -> None:
        self._listener = listener

    async def connect(self) -> None:
        """Start both sessions and wait until the trader session trades: the core
        reconciles its book with the broker's right after. GatewayError, naming the step
        and why, when the session fails for good or is not trading within
        ``ctp.connect_timeout_s``."""
        self._trader.start()
        await self._md.connect()
        timeout = self._settings.ctp.connect_timeout_s
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._trader.trading and self._trader.fatal is None:
            left = deadline - loop.time()
            if left <= 0:
                break
            self._trader.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._trader.changed.wait(), left)
        if self._trader.fatal is not None:
            raise GatewayError(self._trader.fatal)
        if not self._trader.trading:
            where = next(
                (s for s in self._trader.steps.values() if s.state is not StepState.DONE), None
            )
            detail = f" (step {where.name}: {where.detail or where.state})" if where else ""
            raise GatewayError(f"the CTP session is not trading after {timeout:g} s{detail}")

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
        await self._md.close()
        await self._trader.close()

    async def subscribe(self, symbol: str) -> None:
        self._subscribed[symbol] = None
        await self._md.subscribe(symbol)

    async def unsubscribe(self, symbol: str) -> None:
        self._subscribed.pop(symbol, None)
        await self._md.unsubscribe(symbol)

    async def send_order(self, request: OrderRequest) -> str:
        order = self._trader.send_order(request)
        # pushed after the caller has the id, as every report after it
        asyncio.get_running_loop().call_soon(self._listener.on_order, order)
        return order.order_id

    async def cancel_order(self, order_id: str) -> None:
        self._trader.cancel_order(order_id)

    async def query_account(self) -> AccountReport:
        return await self._trader.query_account()

    async def query_positions(self) -> list[PositionReport]:
        return await self._trader.query_positions()

    async def query_orders(self) -> list[Order]:
        return list(self._trader.book.orders.values())

    async def query_trades(self) -> list[Trade]:
        return list(self._trader.book.trades.values())

    # --- what else the gateway tells -------------------------------------------------------
    def session_steps(self) -> list[SessionStep]:
        """The trader session's steps, in order, for the console and the health report."""
        return list(self._trader.steps.values())

    def settlement_statement(self) -> SettlementStatement | None:
        """The statement the session last confirmed (None before the first login)."""
        return self._settlement

    def live_spec_for(
        self, configured: Callable[[str], ContractSpec]
    ) -> Callable[[str], ContractSpec]:
        """The broker's terms for a contract its session has described (multiplier, price
        tick, margin and commission rates), laid over ``configured``'s; ``configured``'s
        before the queries and for a contract the broker did not list."""

        def spec_for(symbol: str) -> ContractSpec:
            found = self._trader.tables
            if symbol not in found.instruments:
                return configured(symbol)
            return broker_tables(found).spec_for(configured)(symbol)

        return spec_for

    @property
    def tables(self) -> QueriedTables:
        """The broker's instruments and rates, as last queried."""
        return self._trader.tables

    @property
    def trading_day(self) -> date | None:
        return self._trader.trading_day

    # --- the trader session's events (TraderEvents) --------------------------------------
    def on_order(self, order: Order) -> None:
        self._listener.on_order(order)

    def on_trade(self, trade: Trade) -> None:
        self._listener.on_trade(trade)
        if self._refresh is None and self._trader.trading:
            self._refresh = asyncio.get_running_loop().call_later(
                ACCOUNT_REFRESH_S, self._refresh_account
            )

    def on_account(self, account: AccountReport) -> None:
        self._listener.on_account(account)

    def on_connection(self, connected: bool, reason: str) -> None:
        self._td_reason = reason
        self._report()

    def on_log(self, level: str, message: str) -> None:
        self._listener.on_log(level, message)

    def on_settlement(self, trading_day: date, text: str) -> None:
        self._settlement = SettlementStatement(trading_day, text, self._clock.now())
        if self._statements is not None:
            self._statements(self._settlement)
        self._listener.on_log("info", f"settlement statement for {trading_day} received")

    # --- the market-data session's events --------------------------------------------------
    def on_tick(self, tick: Tick) -> None:
        self._listener.on_tick(tick)

    def market_data_state(self, connected: bool, reason: str) -> None:
        self._md_up = connected
        self._md_reason = reason
        self._report()

    # --- helpers --------------------------------------------------------------------------
    def _report(self) -> None:
        connected = self._trader.trading and self._md_up
        self._listener.on_connection(
            connected, f"trader: {self._td_reason}; market data: {self._md_reason}"
        )

    def _refresh_account(self) -> None:
        self._refresh = None

        async def ask() -> None:
            try:
                self._listener.on_account(await self._trader.query_account())
            except GatewayError as exc:
                self._listener.on_log("warning", f"account refresh failed: {exc}")
            except Exception as exc:
                self._listener.on_log("warning", f"account refresh failed: {exc!r}")

        task = asyncio.get_running_loop().create_task(ask())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _traded_symbols(self) -> list[str]:
        return [
            self._settings.main_contract,
            *self._settings.watchlist,
            *self._subscribed,
        ]

    def _configured_fee(self, symbol: str, offset: Offset, price: Decimal, volume: int) -> Decimal:
        """A fee from the configured contract table, for a contract the broker's rates
        did not cover."""
        try:
            return self._spec_for(symbol).commission(offset, volume)
        except (ValueError, KeyError):
            return Decimal(0)


class _MarketDataEvents:
    """The market-data session's listener: ticks straight on, its state into the
    gateway's connection report."""

    def __init__(self, gateway: CtpGateway) -> None:
        self._gateway = gateway

    def on_tick(self, tick: Tick) -> None:
        self._gateway.on_tick(tick)

    def on_connection(self, connected: bool, reason: str) -> None:
        self._gateway.market_data_state(connected, reason)

    def on_log(self, level: str, message: str) -> None:
        self._gateway.on_log(level, message)
