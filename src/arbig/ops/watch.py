"""The watch: what the trader is told, and the account-level protections applied.

Follows the kernel's bus (fills, rejections, the gateway's connection, the account)
and, once a second, what is only seen by looking (the trading state, the strategy's
state, the age of the market data, the clock for the daily summary, positions held
near their delivery month, the end of a cooldown, and the core's comparison of its
account with the broker's). Messages go to the
``Notifier``, which never blocks; a protection that trips moves the trading state
through the controls (as an operator would), is written to the audit trail, counted
and notified.
"""

import asyncio
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import structlog

from arbig.api.trading import StrategyStatus, TradingStatus
from arbig.clock import Clock, Timer
from arbig.domain.audit import AuditEntry
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.delivery import holding_warning
from arbig.domain.enums import OrderStatus, TradingState
from arbig.domain.order import Order
from arbig.domain.reconcile import MoneyReconciliation
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade
from arbig.engine.book import Events
from arbig.engine.bus import EventType
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.ops.observe import KernelObserver, truth
from arbig.ops.protections import Protection, Protections, Trip, stricter
from arbig.opsconfig import NotifyEvent

log = structlog.get_logger(__name__)


class StateControls(Protocol):
    def trading_status(self) -> TradingStatus: ...
    def strategy_status(self) -> StrategyStatus: ...
    async def set_trading_state(
        self, state: TradingState, reason: str, actor: str
    ) -> TradingStatus: ...


class Auditor(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...


class Watch:
    def __init__(
        self,
        bus: Events,
        controls: StateControls,
        notifier: Notifier,
        observer: KernelObserver,
        equity: EquityWatch,
        protections: Protections,
        auditor: Auditor,
        metrics: Metrics,
        calendar: TradingCalendar,
        *,
        clock: Clock,
        interval_s: float = 1.0,
    ) -> None:
        self._bus = bus
        self._controls = controls
        self._notifier = notifier
        self._observer = observer
        self._equity = equity
        self.protections = protections
        self._auditor = auditor
        self._metrics = metrics
        self._calendar = calendar
        self._clock = clock
        self._interval = interval_s
        self._settings = notifier.settings
        self._timer: Timer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._round: asyncio.Task[None] | None = None
        self._status: TradingStatus | None = None
        self._strategy_failed = False
        self._disconnected_at: datetime | None = None
        self._down_reason = ""
        self._down_told = False
        self._stale_told = False
        self._summary_day: date | None = None
        self._cooldown_until: datetime | None = None
        self._fills = 0
        self._rejections = 0
        self._held: frozenset[str] = frozenset()
        self._delivery_told: set[tuple[str, date]] = set()
        self._money_since: datetime | None = None  # the first report of a difference
        self._money_told: MoneyReconciliation | None = None  # the difference told about
        self._handlers: list[tuple[EventType, Callable[[EventType, Any], None]]] = [
            (EventType.TRADE, self._on_trade),
            (EventType.ORDER, self._on_order),
            (EventType.ACCOUNT, self._on_account),
            (EventType.SYSTEM, self._on_system),
            (EventType.POSITIONS, self._on_positions),
        ]

    # --- lifecycle --------------------------------------------------------------------

    def attach(self) -> None:
        """Subscribe after the observer: it brings the account figures up to date first."""
        for event_type, handler in self._handlers:
            self._bus.subscribe(event_type, handler)

    def start(self) -> None:
        self._status = self._controls.trading_status()
        self._summary_day = self._today_if_past_summary()
        if not self._observer.gateway_connected and self._disconnected_at is None:
            self._disconnected_at = self._clock.now()  # never connected since start-up
        self._timer = self._clock.call_every(self._interval, self._on_timer)

    async def stop(self) -> None:
        for event_type, handler in self._handlers:
            self._bus.unsubscribe(event_type, handler)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait for the rounds and protection moves under way (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _on_timer(self) -> None:
        if self._round is None or self._round.done():  # a slow round is not doubled
            self._round = self._spawn(self._safe_look())

    async def _safe_look(self) -> None:
        try:
            await self.look()
        except Exception:
            log.exception("ops watch round failed")

    def reconciliation(self, difference: str) -> None:
        """The book differed from the broker's at start-up (trading is halted)."""
        self._notifier.notify(
            NotifyEvent.RECONCILIATION, "positions differ from the broker's", difference
        )

    # --- the bus ----------------------------------------------------------------------

    def _on_trade(self, _: EventType, trade: Trade) -> None:
        self._fills += 1
        self._notifier.notify(
            NotifyEvent.FILL,
            f"fill {trade.side} {trade.offset} {trade.volume} {trade.symbol} @ {trade.price}",
            f"trade {trade.trade_id}, order {trade.order_id}, commission {trade.commission}",
        )

    def _on_order(self, _: EventType, order: Order) -> None:
        if order.status is OrderStatus.REJECTED:
            self._rejections += 1
            self._notifier.notify(
                NotifyEvent.REJECTION,
                f"order rejected: {order.side} {order.offset} {order.volume} {order.symbol} "
                f"@ {order.price}",
                order.reject_reason or "no reason given",
            )

    def _on_system(self, _: EventType, payload: Any) -> None:
        if not isinstance(payload, dict) or "gateway" not in payload:
            return
        if payload["gateway"]:
            if self._down_told:
                self._notifier.notify(
                    NotifyEvent.GATEWAY_DOWN, "gateway connected again", str(payload.get("reason"))
                )
            self._disconnected_at = None
            self._down_told = False
        elif self._disconnected_at is None:
            self._disconnected_at = self._clock.now()
            self._down_reason = str(payload.get("reason", ""))

    def _on_positions(self, _: EventType, positions: list[PositionSnapshot]) -> None:
        self._held = frozenset(p.symbol for p in positions if p.volume > 0)

    def _on_account(self, _: EventType, __: AccountSnapshot) -> None:
        figures = self._equity.figures
        if figures is None:
            return
        trip = self.protections.check(figures)
        if trip is not None:
            self._spawn(self._apply(trip))

    # --- protections ------------------------------------------------------------------

    async def _apply(self, trip: Trip) -> None:
        current = self._controls.trading_status()
        moved = stricter(trip.state, current.state) and not current.emergency
        result = str(trip.state) if moved else f"already {current.state}"
        if moved:
            try:
                await self._controls.set_trading_state(trip.state, trip.reason[:255], trip.actor)
            except Exception as exc:
                log.exception(
                    "protection could not set the trading state", protection=trip.protection
                )
                result = f"failed: {exc}"
        if moved and trip.protection is Protection.LOSING_STREAK:
            minutes = self.protections.settings.cooldown_minutes
            if minutes:
                self._cooldown_until = self._clock.now() + timedelta(minutes=minutes)
            self._equity.reset_streak()
        self._metrics.protection_trips.labels(protection=trip.protection.value).inc()
        log.warning("protection tripped", protection=str(trip.protection), reason=trip.reason)
        await self._audit(
            trip.actor,
            "protection",
            result,
            {"protection": str(trip.protection), "reason": trip.reason},
        )
        self._notifier.notify(
            NotifyEvent.PROTECTION, f"{trip.protection}: trading {trip.state}", trip.reason
        )

    async def _end_cooldown(self) -> None:
        self._cooldown_until = None
        self.protections.rearm(Protection.LOSING_STREAK)
        status = self._controls.trading_status()
        if status.actor != f"protection:{Protection.LOSING_STREAK}" or status.emergency:
            return  # someone changed the state since: theirs stands
        reason = "the losing-streak cooldown is over"
        await self._controls.set_trading_state(TradingState.ACTIVE, reason, "protection:cooldown")
        await self._audit("protection:cooldown", "protection", "active", {"reason": reason})

    async def _audit(self, actor: str, action: str, result: str, detail: dict[str, Any]) -> None:
        try:
            await self._auditor.record(
                AuditEntry(self._clock.now(), actor, action, result, "", "", detail)
            )
        except Exception:
            log.exception("audit entry not written", action=action)

    # --- once a second ----------------------------------------------------------------

    async def look(self) -> None:
        """One round of what is only seen by looking."""
        now = self._clock.now()
        self._trading_state()
        self._strategy()
        self._gateway(now)
        self._market_data(now)
        self._daily_summary(now)
        self._delivery(now)
        self._money(now)
        if self._cooldown_until is not None and now >= self._cooldown_until:
            await self._end_cooldown()

    def _trading_state(self) -> None:
        status = self._controls.trading_status()
        before, self._status = self._status, status
        if before is None or (before.state, before.emergency) == (status.state, status.emergency):
            return
        detail = f"{status.reason} (by {status.actor})" if status.actor else status.reason
        if status.emergency and not before.emergency:
            self._notifier.notify(NotifyEvent.EMERGENCY_STOP, "emergency stop engaged", detail)
        elif before.emergency and not status.emergency:
            self._notifier.notify(NotifyEvent.EMERGENCY_RESET, "emergency stop reset", detail)
        else:
            self._notifier.notify(
                NotifyEvent.TRADING_STATE, f"trading {before.state} -> {status.state}", detail
            )

    def _strategy(self) -> None:
        status = self._controls.strategy_status()
        failed = status.state == "failed"
        if failed and not self._strategy_failed:
            self._notifier.notify(
                NotifyEvent.STRATEGY_FAILURE,
                f"strategy {status.name} failed",
                status.error or "no error message",
            )
        self._strategy_failed = failed

    def _gateway(self, now: datetime) -> None:
        since = self._disconnected_at
        if since is None or self._down_told:
            return
        if (now - since).total_seconds() >= self._settings.gateway_down_after_s:
            self._down_told = True
            self._notifier.notify(
                NotifyEvent.GATEWAY_DOWN,
                f"gateway disconnected for {(now - since).total_seconds():.0f} s",
                self._down_reason,
            )

    def _market_data(self, now: datetime) -> None:
        ticks = self._observer.last_tick
        if not ticks or not self._calendar.in_session(now):
            self._stale_told = False
            return
        age = min((now - tick.datetime).total_seconds() for tick in ticks.values())
        if age < self._settings.stale_after_s:
            self._stale_told = False
        elif not self._stale_told:
            self._stale_told = True
            self._notifier.notify(
                NotifyEvent.STALE_MARKET_DATA,
                f"no tick for {age:.0f} s during a session",
                ", ".join(sorted(ticks)),
            )

    def _delivery(self, now: datetime) -> None:
        """Once a trading day per contract: a position still held in the last trading
        days before its delivery month, or in it (SHFE's rule for individual accounts)."""
        if not self._held:
            return
        day = self._calendar.trading_day(now)
        for symbol in sorted(self._held):
            if (symbol, day) in self._delivery_told:
                continue
            warning = holding_warning(symbol, day, self._calendar)
            if warning is not None:
                self._delivery_told.add((symbol, day))
                self._notifier.notify(
                    NotifyEvent.DELIVERY_MONTH, f"{symbol} is near its delivery month", warning
                )

    def _money(self, now: datetime) -> None:
        """A difference between the book's account and the broker's once it has lasted
        ``money_difference_after_s`` (reports cross fills in flight: a difference the next
        report clears is not news), and once more when the two agree again.

        Only a live broker's figures are the account's truth: there the trader is told. On
        a simulated exchange the two come from the same fills, so a difference is a bug in
        ARBIG, not money gone: it is logged as an error and counted, not notified."""
        money = self._observer.money
        if money is None:
            return
        if not money.differences:
            told, since = self._money_told, self._money_since
            self._money_since = self._money_told = None
            if told is not None and since is not None:
                self._money_agreed(told, money, since)
            return
        if self._money_since is None:
            self._money_since = money.checked_at
        if self._money_told is not None:
            return
        lasted = (now - self._money_since).total_seconds()
        if lasted < self._settings.money_difference_after_s:
            return
        self._money_told = money
        self._metrics.account_differences.labels(truth=truth(money)).inc()
        differences = [str(d) for d in money.differences]
        if not money.broker_is_truth:
            log.error(
                "the simulated exchange's account differs from the book (a bug in ARBIG)",
                account=money.account_id,
                differences=differences,
                lasted_s=round(lasted),
            )
            return
        fields = ", ".join(d.field for d in money.differences)
        first = to_exchange_time(self._money_since).strftime("%H:%M:%S")
        self._notifier.notify(
            NotifyEvent.MONEY_DIFFERENCE,
            f"book and broker differ: {fields}",
            "\n".join(
                [
                    f"account {money.account_id}, since {first} (exchange time)",
                    *differences,
                    *money.hints,
                    "a missed trade, a commission rate or a deposit/withdrawal? "
                    "The broker's figures are the account's.",
                ]
            ),
        )

    def _money_agreed(
        self, told: MoneyReconciliation, money: MoneyReconciliation, since: datetime
    ) -> None:
        lasted = (money.checked_at - since).total_seconds()
        fields = ", ".join(d.field for d in told.differences)
        if not told.broker_is_truth:
            log.info(
                "the simulated exchange's account agrees with the book again",
                account=money.account_id,
            )
            return
        self._notifier.notify(
            NotifyEvent.MONEY_DIFFERENCE,
            "book and broker agree again",
            f"account {money.account_id}: {fields} differed for {lasted:.0f} s",
        )

    def _today_if_past_summary(self) -> date | None:
        at = self._settings.daily_summary_at
        local = to_exchange_time(self._clock.now())
        return local.date() if at is not None and local.time() >= at else None

    def _daily_summary(self, now: datetime) -> None:
        at = self._settings.daily_summary_at
        local = to_exchange_time(now)
        if at is None or local.time() < at or self._summary_day == local.date():
            return
        self._summary_day = local.date()
        if not self._calendar.is_business_day(local.date()):
            return
        figures = self._equity.figures
        lines = [f"fills {self._fills}, rejected orders {self._rejections}"]
        if figures is not None:
            lines.insert(
                0,
                f"equity {figures.equity:.2f}, day P&L {figures.day_pnl:.2f}, drawdown "
                f"from peak {figures.drawdown:.2%}, margin ratio {figures.margin_ratio:.2%}",
            )
        lines.append(f"trading {self._controls.trading_status().state}")
        self._fills = self._rejections = 0
        self._notifier.notify(
            NotifyEvent.DAILY_SUMMARY, f"daily summary {local.date()}", "\n".join(lines)
        )
