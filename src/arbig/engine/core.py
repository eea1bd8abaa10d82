"""The trading core: gateway in, book kept, events out.

The engine's other parts see the core through ``engine.book``'s protocols: its
``book`` (read-only), its ``bus`` and its commands; only the core itself touches
its order manager and portfolio.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import structlog

from arbig.api.errors import CashRefused
from arbig.clock import Clock, Timer
from arbig.domain.audit import AuditEntry
from arbig.domain.contract import CENT, ContractError, ContractSpec
from arbig.domain.enums import Direction, Offset, OrderSource, OrderStatus, Side, Transfer
from arbig.domain.handover import Handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.reconcile import (
    AccountFigures,
    MoneyReconciliation,
    PositionDifference,
    money_differences,
    position_differences,
)
from arbig.domain.session import SettlementStatement
from arbig.domain.snapshot import AccountSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.engine.book import CoreBook, Events, PartsHealth
from arbig.engine.book import OrderRefused as OrderRefused  # where senders have found it
from arbig.engine.bus import EventBus, EventType
from arbig.engine.hygiene import TickFilter
from arbig.engine.oms import OrderManager
from arbig.engine.portfolio import Portfolio
from arbig.engine.portfolio import cents as cents_of
from arbig.engine.ports import BookRecorder, BookSource
from arbig.gateways.base import AccountReport, BrokerSession, CashDesk, Gateway, GatewayError
from arbig.ticks.base import TickStore

log = structlog.get_logger(__name__)

AUDIT_WAIT_S = 2.0

# Gateways whose account is a real broker's: their figures are the account's truth.
LIVE_GATEWAYS = frozenset({"ctp"})


class PreTradeCheck(Protocol):
    """A rule every order passes before it reaches the gateway (the risk engine is one).

    Returns None to let the order through, or the reason it is refused.
    """

    def __call__(self, request: OrderRequest) -> str | None: ...


class Auditor(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...


class TradingCore:
    """Owns the book. Gateway callbacks run on the event loop and return quickly."""

    def __init__(
        self,
        *,
        account_id: str,
        capital: Decimal,
        main_contract: str,
        spec_for: Callable[[str], ContractSpec],
        gateway: Gateway,
        recorder: BookRecorder,
        source: BookSource,
        tick_store: TickStore,
        tick_filter: TickFilter,
        clock: Clock,
        snapshot_interval_s: float = 5.0,
        auditor: Auditor | None = None,
        drain_s: float | None = None,
    ) -> None:
        self.bus = EventBus()
        self.oms = OrderManager()
        self._spec_for = spec_for
        self._specs: dict[str, ContractSpec] = {}
        self.portfolio = Portfolio(account_id, capital, self.spec)
        self.main_contract = main_contract
        self.gateway = gateway
        self.recorder = recorder
        self.tick_store = tick_store
        self.tick_filter = tick_filter
        self.gateway_connected = False
        self.gateway_reason = "not connected"
        self.started_at: datetime | None = None
        self._source = source
        self.clock = clock
        self._clock = clock.now  # read several times per order: bound once
        self._snapshot_interval = snapshot_interval_s
        self._snapshot_timer: Timer | None = None
        self._subscribed: set[str] = set()
        self._checks: list[PreTradeCheck] = []
        self._refused = 0
        self.snapshots_skipped = 0
        self._last_ticks: dict[str, Tick] = {}
        self.book = CoreBook(self.oms, self.portfolio, self._last_ticks, self.spec)
        self._auditor = auditor
        self._drain_s = drain_s  # how long stop() waits for the database
        self._last_fill_at: datetime | None = None
        # Set when the book cannot be trusted (see _reconcile); no order passes while set.
        self.halt_reason: str | None = None
        # The account against the broker's last account report (None before the first).
        self.money: MoneyReconciliation | None = None
        self._audits: set[asyncio.Task[None]] = set()

    @property
    def events(self) -> Events:
        """The bus, as its users see it: subscribe, unsubscribe, publish."""
        return self.bus

    def hand_over(self, handover: Handover) -> None:
        """Make lots of the account a strategy's own (the strategy engine records it)."""
        self.portfolio.hand_over(handover)
        self._publish_positions()  # the legs' owned and free lots changed

    def parts_health(self) -> PartsHealth:
        """How the gateway, the recorder and the tick store are doing, to report."""
        return PartsHealth(
            gateway_connected=self.gateway_connected,
            gateway=f"{self.gateway.name}: {self.gateway_reason}",
            recorder_healthy=self.recorder.healthy,
            recorder_detail=self.recorder.health_detail,
            recorder_saturated=self.recorder.saturated,
            tick_store_healthy=self.tick_store.healthy,
            tick_store=self.tick_store.name,
            session=(
                tuple(self.gateway.session_steps())
                if isinstance(self.gateway, BrokerSession)
                else ()
            ),
        )

    def settlement_statement(self) -> SettlementStatement | None:
        """The broker's settlement statement the gateway confirmed, if it has a session."""
        if isinstance(self.gateway, BrokerSession):
            return self.gateway.settlement_statement()
        return None

    @property
    def account_id(self) -> str:
        return self.portfolio.account_id

    def spec(self, symbol: str) -> ContractSpec:
        """The contract's spec, built once per symbol: every order and tick asks for it."""
        spec = self._specs.get(symbol)
        if spec is None:
            spec = self._specs[symbol] = self._spec_for(symbol)
        return spec

    def add_pre_trade_check(self, check: PreTradeCheck) -> None:
        """Every order passes ``check`` after the core's own (the assembly adds risk)."""
        self._checks.append(check)

    def last_tick(self, symbol: str) -> Tick | None:
        """The newest tick that passed hygiene, straight from memory."""
        return self._last_ticks.get(symbol)

    async def start(self) -> None:
        """Rebuild the book from storage, connect, and catch up with the gateway."""
        await self.recorder.start()
        await self.tick_store.start()
        # Orders first: a replayed fill finds its order, and so its owner.
        for order in await self._source.load_orders(self.account_id):
            self.oms.update_order(order)
            self.portfolio.on_order(order)
        self.portfolio.restore_settlements(await self._source.load_settlements(self.account_id))
        # The day's cash moves recorded before: booked again, audited only if they change.
        day_cash = await self._source.load_day_cash(self.account_id)
        if day_cash is not None:
            self.portfolio.restore_day_cash(day_cash)
        # Handovers in time order with the fills: a handed lot's later close fits.
        handovers = deque(await self._source.load_handovers(self.account_id))
        for trade in await self._source.load_trades(self.account_id):
            while handovers and handovers[0].handed_at <= trade.datetime:
                self.portfolio.hand_over(handovers.popleft())
            self.oms.add_trade(trade)
            if self._last_fill_at is None or trade.datetime > self._last_fill_at:
                self._last_fill_at = trade.datetime
            self.portfolio.apply_trade(trade)
            self._apply_owned(trade)
        for handover in handovers:
            self.portfolio.hand_over(handover)
        self._record_settlements()
        self.gateway.set_listener(self)
        await self.gateway.connect()
        # A broker's session has just described the contracts (CTP): specs are asked
        # again, so that margin, commission and limits follow the broker's terms.
        self._specs.clear()
        await self.subscribe(self.main_contract)
        await self._reconcile()
        self.started_at = self._clock()
        self._record_book()
        if self.recorder.keeps_snapshots:  # else each round would record nothing
            self._snapshot_timer = self.clock.call_every(self._snapshot_interval, self._snapshot)

    async def _reconcile(self) -> None:
        """Catch up with the broker before anything may trade.

        The gateway may know fills this process never recorded (a crash between a
        fill and its commit): they are recorded now, idempotently by trade id. If
        the positions still differ from the broker's, the book cannot be explained
        by its trades and trading stays halted with the reason.
        """
        known = set(self.oms.trade_ids)
        for order in await self.gateway.query_orders():
            self.on_order(order)
        broker_trades = await self.gateway.query_trades()
        missed = [t.trade_id for t in broker_trades if t.trade_id not in known]
        for trade in broker_trades:
            self.on_trade(trade)
        if missed:
            log.warning("recorded trades missed while down", count=len(missed), trade_ids=missed)
            await self._audit("reconcile", "corrected", {"missed_trades": missed})
        # The day's deposits and withdrawals so far (the book's own figures of today are
        # rebuilt from trades, which cannot hold them). Not compared: an exchange may not
        # have marked its account before its first quote.
        try:
            self._start_day(await self.gateway.query_account())
        except Exception as exc:  # the first account report will carry them as well
            log.warning("account not queried at start-up", error=f"{type(exc).__name__}: {exc}")
        await self._audits_written()  # in the trail before anyone can ask for it
        differences = await self.position_differences()
        if differences:
            self.halt_reason = "positions differ from the broker's: " + "; ".join(
                str(d) for d in differences
            )
            log.error("trading halted at start-up", reason=self.halt_reason)
            await self._audit("reconcile", "halted", {"differences": [str(d) for d in differences]})

    async def position_differences(self) -> list[PositionDifference]:
        """Every leg whose volume differs between the book and the broker, now."""
        broker = {(p.symbol, p.direction): p.volume for p in await self.gateway.query_positions()}
        book = {(leg.symbol, leg.direction): leg.volume for leg in self.portfolio.positions.held()}
        return position_differences(book, broker)

    async def accept_broker_positions(self, actor: str, reason: str) -> list[Trade]:
        """Make the book's positions the broker's: one adjustment fill per differing leg
        (recorded as a trade ``ADJ-...`` with no commission, at the broker's average
        price for lots added, at the book's for lots removed, so that no P&L is made up);
        then lift the reconciliation halt. The host audits the command.

        The trading state stays as it is: the operator resumes it afterwards."""
        if not reason.strip():
            raise OrderRefused("a reason is required to accept the broker's positions")
        broker = {(p.symbol, p.direction): p for p in await self.gateway.query_positions()}
        differences = await self.position_differences()
        now = self._clock()
        stamp = f"ADJ-{now:%Y%m%d%H%M%S}"
        # Stamped after every fill it corrects: the book is rebuilt in time order.
        now = max(now, self._last_fill_at or now)
        adjustments: list[Trade] = []

        def adjust(
            diff: PositionDifference, side: Side, offset: Offset, price: Decimal, volume: int
        ) -> None:
            adjustments.append(
                Trade(
                    trade_id=f"{stamp}-{len(adjustments) + 1}",
                    order_id=stamp,
                    symbol=diff.symbol,
                    exchange=self.spec(diff.symbol).exchange,
                    side=side,
                    offset=offset,
                    price=price,
                    volume=volume,
                    datetime=now,
                    trading_day=self.portfolio.trading_day or now.date(),
                    commission=Decimal(0),
                )
            )

        for diff in differences:
            leg = self.portfolio.positions.leg(diff.symbol, diff.direction)
            opening = Side.BUY if diff.direction is Direction.LONG else Side.SELL
            delta = diff.broker - diff.book
            if delta > 0:
                report = broker.get((diff.symbol, diff.direction))
                price = report.avg_price if report is not None else leg.avg_price
                adjust(diff, opening, Offset.OPEN, price, delta)
                continue
            # Lots removed: yesterday's first, as the exchange closes them.
            from_yesterday = min(leg.volume_yesterday, -delta)
            for offset, volume in (
                (Offset.CLOSE_YESTERDAY, from_yesterday),
                (Offset.CLOSE_TODAY, -delta - from_yesterday),
            ):
                if volume:
                    adjust(diff, opening.opposite, offset, leg.avg_price, volume)
        for trade in adjustments:
            self.on_trade(trade)
        remaining = await self.position_differences()
        if remaining:
            raise OrderRefused(
                "the book still differs after the adjustment: "
                + "; ".join(str(d) for d in remaining)
            )
        log.warning(
            "broker positions accepted",
            actor=actor,
            reason=reason,
            differences=[str(d) for d in differences],
            adjustments=[t.trade_id for t in adjustments],
        )
        self.halt_reason = None
        return adjustments

    async def _audit(self, action: str, result: str, detail: dict[str, Any]) -> None:
        if self._auditor is None:
            return
        entry = AuditEntry(self._clock(), "core", action, result, self.account_id, "", detail)
        try:
            await self._auditor.record(entry)
        except Exception:
            log.exception("audit entry not written", action=action)

    async def stop(self, drain_s: float | None = None) -> None:
        """Stop; the database gets ``drain_s`` (default: the configured drain) to take
        what is queued, and what it did not take is logged as left to reconciliation."""
        drain = self._drain_s if drain_s is None else drain_s
        if self._snapshot_timer is not None:
            self._snapshot_timer.cancel()
        with contextlib.suppress(Exception):
            await self.gateway.close()
        await self._audits_written()
        self._record_book()
        unrecorded = await self.recorder.stop(drain)
        if unrecorded:
            # The broker keeps the day's fills: the reconciliation at the next start
            # records the trades among these (core._reconcile).
            log.error(
                "stopped with writes unrecorded: the database did not answer in time; "
                "trades among them are recovered from the broker at the next start",
                unrecorded=unrecorded,
                drain_s=drain,
            )
        await self.tick_store.stop()

    async def subscribe(self, symbol: str) -> None:
        await self.gateway.subscribe(symbol)
        self._subscribed.add(symbol)

    async def unsubscribe(self, symbol: str) -> None:
        await self.gateway.unsubscribe(symbol)
        self._subscribed.discard(symbol)

    @property
    def subscribed(self) -> frozenset[str]:
        return frozenset(self._subscribed)

    async def switch_main_contract(self, symbol: str) -> str:
        """Make ``symbol`` the main contract; returns the previous one.

        The old contract's quotes stop and its stream is cleared, but it stays
        tradable while a position or a working order in it remains, so that it
        can still be closed.
        """
        old = self.main_contract
        if symbol == old:
            return old
        await self.subscribe(symbol)
        self.main_contract = symbol
        if not self.book.exposed(old):
            await self.unsubscribe(old)
            await self.tick_store.clear(old)
        self.bus.publish(EventType.SYSTEM, {"main_contract": symbol, "previous": old})
        log.info("main contract switched", previous=old, main_contract=symbol)
        return old

    async def move_cash(self, kind: Transfer, amount: Decimal) -> AccountSnapshot:
        """Deposit or withdraw ``amount`` on an exchange that takes it (the simulated and
        paper exchanges); the book takes the move from the exchange's account report, as
        it does a broker's. Returns the account with the move booked.

        CashRefused, and nothing moved, on a live broker's gateway (money moves through
        the bank there), for an amount that is not a positive sum in cents, and when the
        exchange refuses (a withdrawal above what is available)."""
        gateway = self.gateway
        if not isinstance(gateway, CashDesk):
            raise CashRefused(
                f"the {gateway.name} gateway's account is funded through the bank, not "
                f"ARBIG: {kind} with the broker, and the book takes it from the broker's "
                "account report"
            )
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
            raise CashRefused(f"amount must be a positive sum in cents, got {amount}")
        try:
            if kind is Transfer.DEPOSIT:
                await gateway.deposit(amount)
            else:
                await gateway.withdraw(amount)
        except GatewayError as exc:
            raise CashRefused(f"{kind} of {amount} refused: {exc}") from None
        # The embedded exchange has reported already; asked again so that the answer
        # shows the move however the exchange's reports travel (a shared exchange).
        try:
            report = await gateway.query_account()
        except Exception as exc:  # moved all the same: the next account report books it
            log.warning(
                "account not queried after a cash move",
                kind=str(kind),
                error=f"{type(exc).__name__}: {exc}",
            )
        else:
            self._start_day(report)
            self.on_account(report)
        return self.portfolio.account_snapshot(self._clock())

    # --- orders -----------------------------------------------------------------

    def check_request(self, request: OrderRequest) -> None:
        """Refuse what no exchange would take; the message names the problem."""
        spec = self._specs.get(request.symbol)
        if spec is None:
            try:
                spec = self.spec(request.symbol)  # the contract table knows the symbol
            except ContractError as exc:
                raise OrderRefused(str(exc)) from None
        if request.symbol not in self._subscribed:
            raise OrderRefused(f"unknown symbol {request.symbol!r}: not subscribed")
        if request.volume <= 0:
            raise OrderRefused(f"volume must be at least 1, got {request.volume}")
        if request.volume > spec.max_order_volume:
            raise OrderRefused(f"volume {request.volume} exceeds {spec.max_order_volume} per order")
        if request.price <= 0 or not spec.is_on_tick(request.price):
            raise OrderRefused(
                f"price {request.price} is not a positive multiple of the tick {spec.price_tick}"
            )

    async def send_order(self, request: OrderRequest) -> str:
        """Send ``request`` if every check lets it through; otherwise record it as a
        rejected order with the reason and raise OrderRefused (whoever sent it sees why)."""
        reason = self._refusal(request)
        if reason is not None:
            self._record_refusal(request, reason)
            raise OrderRefused(reason)
        order_id = await self.gateway.send_order(request)
        log.info(
            "order sent",
            order_id=order_id,
            symbol=request.symbol,
            side=str(request.side),
            offset=str(request.offset),
            price=str(request.price),
            volume=request.volume,
            source=str(request.source),
        )
        return order_id

    async def cancel_order(self, order_id: str) -> None:
        await self.gateway.cancel_order(order_id)

    def _refusal(self, request: OrderRequest) -> str | None:
        try:
            self.check_request(request)
        except OrderRefused as exc:
            return str(exc)
        if self.halt_reason is not None:
            return f"trading halted: {self.halt_reason}"
        if request.offset is Offset.OPEN and (self.recorder.saturated or not self.recorder.healthy):
            return (
                f"the database is behind ({self.recorder.health_detail}): the book cannot "
                "be recorded, new positions are refused until it catches up; closes are allowed"
            )
        for check in self._checks:
            reason = check(request)
            if reason is not None:
                return reason
        return None

    def _record_refusal(self, request: OrderRequest, reason: str) -> None:
        now = self._clock()
        self._refused += 1
        order_id = f"R{now:%Y%m%d%H%M%S}-{self._refused:05d}"
        log.warning(
            "order refused",
            order_id=order_id,
            symbol=request.symbol[:16],
            reason=reason,
            source=str(request.source),
        )
        order = Order.from_request(order_id, request, now)
        self.on_order(order.transition(OrderStatus.REJECTED, now, reason=reason[:255]))

    # --- gateway listener ----------------------------------------------------------

    def on_tick(self, tick: Tick) -> None:
        if not self.tick_filter.accept(tick, self._clock()):
            return
        self._last_ticks[tick.symbol] = tick
        self.tick_store.add(tick)
        book_moved = self.portfolio.mark(tick)
        if self.portfolio.settled:
            self._record_settlements()
        if self.portfolio.cash_moves:
            self._announce_cash_moves()
        self.bus.publish(EventType.TICK, tick)
        if book_moved:
            self._publish_book()

    # A fact (order report, fill) is published before it is recorded, and the recorder
    # always queues it (docs/storage.md, "Backpressure"): a full writer can never leave
    # the book updated and the event unpublished.

    def on_order(self, order: Order) -> None:
        if self.oms.update_order(order):
            frozen_moved = self.portfolio.on_order(order)
            self.bus.publish(EventType.ORDER, order)
            self.recorder.order(order)
            if frozen_moved and EventType.ACCOUNT in self.bus.listening:
                self.bus.publish(EventType.ACCOUNT, self.portfolio.account_snapshot(self._clock()))
            if order.offset.is_close:  # a working close promises lots: fewer are free
                self._publish_positions()

    def on_trade(self, trade: Trade) -> None:
        if not self.oms.add_trade(trade):
            return
        if self._last_fill_at is None or trade.datetime > self._last_fill_at:
            self._last_fill_at = trade.datetime
        realized = self.portfolio.apply_trade(trade)
        self._apply_owned(trade)
        self.bus.publish(EventType.TRADE, trade)
        self.recorder.trade(
            trade,
            realized_pnl=realized,
            multiplier=self.spec(trade.symbol).multiplier,
            close_profit=self.portfolio.last_close_profit,
        )
        if self.portfolio.settled:
            self._record_settlements()
        if self.portfolio.cash_moves:
            self._announce_cash_moves()
        self._record_book()

    def _apply_owned(self, trade: Trade) -> None:
        """A strategy's fill also counts in that strategy's own position; a manual close
        of lots a strategy owned takes them from the strategy's view too."""
        self._take_owned(trade)
        trimmed = self.portfolio.cap_owned(trade.symbol, trade.direction)
        if trimmed:
            log.warning(
                "strategy lots closed by hand",
                strategies=trimmed,
                symbol=trade.symbol,
                trade_id=trade.trade_id,
            )

    def _take_owned(self, trade: Trade) -> None:
        order = self.oms.orders.get(trade.order_id)
        if order is None or order.source is not OrderSource.STRATEGY or not order.reference:
            return
        if not self.portfolio.apply_owned(order.reference, trade):
            log.warning(
                "strategy fill does not fit its own position",
                strategy=order.reference,
                trade_id=trade.trade_id,
            )

    def on_account(self, account: AccountReport) -> None:
        """The core keeps its own account from trades; the broker's is compared with it
        (``money``), and each difference logged once while it lasts.

        Money moved in or out (the broker's deposit and withdrawal totals for the day)
        is no trade, so the book cannot know it otherwise: it is booked from the report
        first (for the book's trading day; a later day's when the book reaches it), and
        only then compared. Money moved on a day the core did not run shows only in the
        broker's previous settled balance: compared too, never adopted (the book cannot
        date such a move), it stays a difference until the operator acts
        (docs/storage.md)."""
        self._take_cash(account)
        now = self._clock()
        book = self.portfolio.account_figures()
        # The previous settled balance is compared on the same day only (a report of a
        # day the book has not reached starts from the book's own day's balance), and
        # only a live broker's: the simulator keeps a held position's floating P&L in its
        # position profit across the settlement rather than in the settled balance, so
        # its pre-balance is split differently from the book's while its balance agrees.
        same_day = account.trading_day in (None, self.portfolio.trading_day)
        live = self.gateway.name in LIVE_GATEWAYS
        broker = AccountFigures(
            balance=account.balance,
            available=account.available,
            margin=account.margin,
            frozen_margin=account.frozen_margin,
            commission=account.commission,
            close_profit=account.close_profit,
            pre_balance=account.pre_balance if same_day and live else None,
        )
        differences = tuple(money_differences(book, broker))
        previous = self.money.differences if self.money else ()
        before = {d.field for d in previous} if previous else set()
        self.money = MoneyReconciliation(
            account_id=account.account_id,
            checked_at=now,
            book=book,
            broker=broker,
            differences=differences,
            broker_is_truth=live,
        )
        if differences:
            new = [str(d) for d in differences if d.field not in before]
            if new:
                log.warning(
                    "account differs from the broker's",
                    differences=new,
                    hints=list(self.money.hints),
                )

    def _start_day(self, account: AccountReport) -> None:
        """Book ``account``'s cash figures; a book that has seen no quote nor fill yet
        starts on the exchange's trading day for it."""
        if self.portfolio.trading_day is None and account.trading_day is not None:
            self.portfolio.roll_to(account.trading_day)
            self._record_settlements()
        self._take_cash(account)

    def _take_cash(self, account: AccountReport) -> None:
        """Book the broker's deposit and withdrawal totals of ``account``'s day."""
        day = account.trading_day or self.portfolio.trading_day
        if day is None:
            return
        try:
            self.portfolio.broker_cash(day, account.deposit, account.withdraw)
        except ValueError as exc:
            log.error("broker's cash figures not booked", error=str(exc))
        if self.portfolio.cash_moves:
            self._announce_cash_moves()

    def _announce_cash_moves(self) -> None:
        """Log, audit and publish the cash moves the book has just booked; the day's
        settlement records them when it closes."""
        for move in self.portfolio.take_cash_moves():
            detail = {
                "trading_day": move.trading_day.isoformat(),
                "deposit": str(move.deposit),
                "withdraw": str(move.withdraw),
                "change": str(move.change),
                "balance": str(cents_of(self.portfolio.account.balance)),
            }
            log.info(
                "cash moved",
                deposit_before=str(move.deposit_before),
                withdraw_before=str(move.withdraw_before),
                **detail,
            )
            self._audit_soon("cash_move", "booked", detail)
        self._record_book()

    def _audit_soon(self, action: str, result: str, detail: dict[str, Any]) -> None:
        """Audit from a gateway callback (which must not wait): the entry is written by a
        task of its own, which ``stop`` waits for."""
        if self._auditor is None:
            return
        task = asyncio.get_running_loop().create_task(self._audit(action, result, detail))
        self._audits.add(task)
        task.add_done_callback(self._audits.discard)

    async def _audits_written(self) -> None:
        """Wait for the audit entries being written, at most AUDIT_WAIT_S (a database
        that hangs must not hold a start or a stop; the entries are logged as well)."""
        if self._audits:
            await asyncio.wait(set(self._audits), timeout=AUDIT_WAIT_S)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.gateway_connected = connected
        self.gateway_reason = reason
        log.info("gateway connection", connected=connected, reason=reason)
        self.bus.publish(EventType.SYSTEM, {"gateway": connected, "reason": reason})

    def on_log(self, level: str, message: str) -> None:
        log.log(_LEVELS.get(level, 20), message, source=self.gateway.name)

    # --- book publishing --------------------------------------------------------------

    def _publish_positions(self) -> None:
        if EventType.POSITIONS in self.bus.listening:
            self.bus.publish(EventType.POSITIONS, self.portfolio.position_snapshots(self._clock()))

    def _publish_book(self) -> None:
        # Built only for a listener: a backtest has none, and a held position would
        # otherwise cost two snapshots on every tick.
        listening = self.bus.listening
        if EventType.POSITIONS in listening:
            now = self._clock()
            self.bus.publish(EventType.POSITIONS, self.portfolio.position_snapshots(now))
        if EventType.ACCOUNT in listening:
            now = self._clock()
            self.bus.publish(EventType.ACCOUNT, self.portfolio.account_snapshot(now))

    def _record_settlements(self) -> None:
        for record in self.portfolio.take_settled():
            self.recorder.settlement(record)
            log.info(
                "trading day settled",
                trading_day=record.trading_day.isoformat(),
                balance=str(record.balance),
            )

    def _record_book(self) -> None:
        if not self.recorder.keeps_snapshots:  # a backtest's: built only for a listener
            self._publish_book()
            return
        now = self._clock()
        positions = self.portfolio.position_snapshots(now)
        account = self.portfolio.account_snapshot(now)
        self.bus.publish(EventType.POSITIONS, positions)
        self.bus.publish(EventType.ACCOUNT, account)
        try:
            self.recorder.positions(positions)
            self.recorder.account(account, trading_day=self.portfolio.trading_day)
        except Exception as exc:  # a full writer refuses snapshots: the next one supersedes
            self._snapshot_skipped(exc)

    def _snapshot(self) -> None:
        """Persist live P&L and sample the equity curve (the clock calls it at a steady pace).

        One failed round (a full writer, anything else) is logged and the next goes on.
        """
        if not self.recorder.keeps_snapshots:
            return
        try:
            now = self._clock()
            account = self.portfolio.account_snapshot(now)
            self.recorder.positions(self.portfolio.position_snapshots(now))
            self.recorder.account(account, trading_day=self.portfolio.trading_day)
            self.recorder.equity(account)
        except Exception as exc:
            self._snapshot_skipped(exc)

    def _snapshot_skipped(self, exc: Exception) -> None:
        self.snapshots_skipped += 1
        log.warning(
            "book snapshot not recorded",
            error=f"{type(exc).__name__}: {exc}",
            skipped=self.snapshots_skipped,
        )


_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}
