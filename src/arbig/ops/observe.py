"""The kernel as Prometheus sees it: counted from the event bus, read at scrape time.

``KernelObserver`` subscribes to the bus (ticks per contract, orders by outcome,
refusals by rule, trades, strategy triggers, the account, the gateway's connection)
and is itself the collector that reports them together with what is only read when
Prometheus asks (the writer's queue, the trading state, the strategy's state).
The per-tick work is one dictionary increment and one assignment.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from arbig.api.trading import StrategyStatus, TradingStatus
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import OrderStatus, TradingState
from arbig.domain.order import Order
from arbig.domain.reconcile import MONEY_FIELDS, MoneyReconciliation
from arbig.domain.snapshot import AccountSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.domain.trigger import Trigger
from arbig.engine.book import Events
from arbig.engine.bus import EventType
from arbig.engine.risk import Rule
from arbig.ops.equity import EquityWatch

STRATEGY_STATES = ("running", "stopped", "failed")
_RULES = frozenset(rule.value for rule in Rule)


class Writer(Protocol):
    @property
    def queue_depth(self) -> int: ...
    @property
    def saturated(self) -> bool: ...
    @property
    def healthy(self) -> bool: ...

    committed: int
    dropped: int


class TickStoreState(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def healthy(self) -> bool: ...


class DropCounts(Protocol):
    @property
    def dropped_by_symbol(self) -> Counter[tuple[str, str]]: ...


class StatusSource(Protocol):
    def trading_status(self) -> TradingStatus: ...
    def strategy_status(self) -> StrategyStatus: ...


@dataclass(frozen=True, slots=True)
class Sources:
    """What the runtime built, read when Prometheus scrapes."""

    gateway_name: str
    writer: Writer
    tick_store: TickStoreState
    tick_filter: DropCounts
    controls: StatusSource | None
    calendar: TradingCalendar
    redis: bool
    # The core's last comparison of its account with the broker's (``TradingCore.money``).
    money: Callable[[], MoneyReconciliation | None] | None = None


def truth(money: MoneyReconciliation) -> str:
    """Whose figures are the account's: the bounded label of the money families."""
    return "broker" if money.broker_is_truth else "book"


def refusal_reason(reason: str | None) -> str:
    """The bounded label of a refusal: the risk rule that named it, else its kind."""
    text = reason or ""
    rule = text.partition(":")[0]
    if rule in _RULES:
        return rule
    if text.startswith("trading halted"):
        return "halted"
    if text.startswith("the database is behind"):
        return "database_behind"
    return "other"


class KernelObserver(Collector):
    def __init__(
        self,
        bus: Events,
        sources: Sources,
        equity: EquityWatch,
        *,
        gateway_connected: bool = False,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._bus = bus
        self._sources = sources
        self._equity = equity
        self._wall = wall_clock
        self.ticks: Counter[str] = Counter()
        self.last_tick: dict[str, Tick] = {}
        self.orders: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.trades: Counter[tuple[str, str]] = Counter()
        self.lots: Counter[tuple[str, str]] = Counter()
        self.triggers: Counter[tuple[str, str, str]] = Counter()
        self.account: AccountSnapshot | None = None
        self.gateway_connected = gateway_connected
        self._handlers: list[tuple[EventType, Callable[[EventType, Any], None]]] = [
            (EventType.TICK, self._on_tick),
            (EventType.ORDER, self._on_order),
            (EventType.TRADE, self._on_trade),
            (EventType.ACCOUNT, self._on_account),
            (EventType.TRIGGER, self._on_trigger),
            (EventType.SYSTEM, self._on_system),
        ]

    def attach(self) -> None:
        for event_type, handler in self._handlers:
            self._bus.subscribe(event_type, handler)

    def detach(self) -> None:
        for event_type, handler in self._handlers:
            self._bus.unsubscribe(event_type, handler)

    # --- the bus ----------------------------------------------------------------------

    def _on_tick(self, _: EventType, tick: Tick) -> None:
        self.ticks[tick.symbol] += 1
        self.last_tick[tick.symbol] = tick

    def _on_order(self, _: EventType, order: Order) -> None:
        if order.status.is_terminal:
            self.orders[order.status.value] += 1
            if order.status is OrderStatus.REJECTED:
                self.refusals[refusal_reason(order.reject_reason)] += 1

    def _on_trade(self, _: EventType, trade: Trade) -> None:
        key = (trade.symbol, trade.side.value)
        self.trades[key] += 1
        self.lots[key] += trade.volume
        self._equity.on_trade(trade)

    def _on_account(self, _: EventType, account: AccountSnapshot) -> None:
        tick = next(iter(self.last_tick.values()), None)
        if tick is not None:
            self._equity.on_tick_day(tick.trading_day)
        self._equity.on_account(account)
        self.account = account

    def _on_trigger(self, _: EventType, trigger: Trigger) -> None:
        if not trigger.is_pending:
            key = (trigger.strategy_name, trigger.action.value, trigger.result.value)
            self.triggers[key] += 1

    def _on_system(self, _: EventType, payload: Any) -> None:
        if isinstance(payload, dict) and "gateway" in payload:
            self.gateway_connected = bool(payload["gateway"])

    @property
    def money(self) -> MoneyReconciliation | None:
        """The book's account against the broker's last report (None before the first)."""
        read = self._sources.money
        return None if read is None else read()

    # --- the scrape -------------------------------------------------------------------

    def describe(self) -> Iterable[Metric]:
        return []  # families vary with what has been seen: no eager description

    def collect(self) -> Iterator[Metric]:
        yield from self._market()
        yield from self._book()
        yield from self._money()
        yield from self._components()
        yield from self._states()

    def _market(self) -> Iterator[Metric]:
        s = self._sources
        dropped = s.tick_filter.dropped_by_symbol
        received = CounterMetricFamily(
            "arbig_ticks_received",
            "Ticks from the gateway, accepted or dropped, per contract",
            labels=["contract"],
        )
        per_contract = Counter(self.ticks)
        for (symbol, _), count in dropped.items():
            per_contract[symbol] += count
        for symbol, count in sorted(per_contract.items()):
            received.add_metric([symbol], count)
        yield received
        drops = CounterMetricFamily(
            "arbig_ticks_dropped",
            "Ticks dropped by the hygiene filter, per contract and reason",
            labels=["contract", "reason"],
        )
        for (symbol, reason), count in sorted(dropped.items()):
            drops.add_metric([symbol, reason], count)
        yield drops
        age = GaugeMetricFamily(
            "arbig_tick_age_seconds",
            "Seconds since the exchange time of the last accepted tick, per contract",
            labels=["contract"],
        )
        now = self._wall()
        for symbol, tick in sorted(self.last_tick.items()):
            age.add_metric([symbol], max(0.0, now - tick.datetime.timestamp()))
        yield age
        session = datetime.fromtimestamp(now, UTC)
        yield GaugeMetricFamily(
            "arbig_market_session_open",
            "1 while the exchange is in a trading session",
            value=1.0 if s.calendar.in_session(session) else 0.0,
        )

    def _book(self) -> Iterator[Metric]:
        orders = CounterMetricFamily(
            "arbig_orders", "Orders that reached a final state, by outcome", labels=["outcome"]
        )
        for outcome in (OrderStatus.ALL_TRADED, OrderStatus.CANCELLED, OrderStatus.REJECTED):
            orders.add_metric([outcome.value], self.orders[outcome.value])
        yield orders
        refusals = CounterMetricFamily(
            "arbig_order_refusals",
            "Rejected orders, by the rule or kind of refusal",
            labels=["reason"],
        )
        for reason, count in sorted(self.refusals.items()):
            refusals.add_metric([reason], count)
        yield refusals
        trades = CounterMetricFamily(
            "arbig_trades", "Fills, per contract and side", labels=["contract", "side"]
        )
        lots = CounterMetricFamily(
            "arbig_traded_lots", "Lots filled, per contract and side", labels=["contract", "side"]
        )
        for key in sorted(self.trades):
            trades.add_metric(list(key), self.trades[key])
            lots.add_metric(list(key), self.lots[key])
        yield trades
        yield lots
        triggers = CounterMetricFamily(
            "arbig_strategy_triggers",
            "Resolved strategy triggers, by strategy, action and result",
            labels=["strategy", "action", "result"],
        )
        for labels, count in sorted(self.triggers.items()):
            triggers.add_metric(list(labels), count)
        yield triggers
        account = self.account
        if account is not None:
            for name, text, value in (
                ("balance", "Account equity (dynamic balance)", account.balance),
                ("available", "Funds available for new orders", account.available),
                ("margin", "Margin in use", account.margin),
            ):
                yield GaugeMetricFamily(f"arbig_account_{name}_yuan", text, value=float(value))
            yield GaugeMetricFamily(
                "arbig_unrealized_pnl_yuan", "Floating P&L", value=float(account.unrealized_pnl)
            )
            yield GaugeMetricFamily(
                "arbig_realized_pnl_yuan",
                "Realized P&L (before commission)",
                value=float(account.realized_pnl),
            )
        figures = self._equity.figures
        if figures is not None:
            yield GaugeMetricFamily(
                "arbig_account_margin_ratio",
                "Margin in use over equity",
                value=float(figures.margin_ratio),
            )
            yield GaugeMetricFamily(
                "arbig_account_drawdown_ratio",
                "Fall of equity from the trading day's peak, as a fraction of the peak",
                value=float(figures.drawdown),
            )
            yield GaugeMetricFamily(
                "arbig_day_pnl_yuan",
                "Equity now minus equity at the start of the trading day",
                value=float(figures.day_pnl),
            )
            yield GaugeMetricFamily(
                "arbig_losing_trades_streak",
                "Closing trades in a row that lost money",
                value=figures.losing_streak,
            )

    def _money(self) -> Iterator[Metric]:
        money = self.money
        if money is None:
            return
        differs = GaugeMetricFamily(
            "arbig_account_differs_from_broker",
            "1 while the book's account differs from the broker's last account report; "
            "truth: broker (a live gateway) or book (a simulated exchange)",
            labels=["truth"],
        )
        differs.add_metric([truth(money)], 1.0 if money.differences else 0.0)
        yield differs
        found = {d.field: d.difference for d in money.differences}
        sizes = GaugeMetricFamily(
            "arbig_account_difference_yuan",
            "Book less broker, per account figure, at the broker's last account report "
            "(0 where they agree to the cent)",
            labels=["field"],
        )
        for field in MONEY_FIELDS:
            sizes.add_metric([field], float(found.get(field, 0)))
        yield sizes

    def _components(self) -> Iterator[Metric]:
        s = self._sources
        gateway = GaugeMetricFamily(
            "arbig_gateway_connected", "1 while the gateway is connected", labels=["gateway"]
        )
        gateway.add_metric([s.gateway_name], 1.0 if self.gateway_connected else 0.0)
        yield gateway
        writer = s.writer
        yield GaugeMetricFamily(
            "arbig_writer_queue_depth", "Book rows waiting to commit", value=writer.queue_depth
        )
        yield GaugeMetricFamily(
            "arbig_writer_saturated",
            "1 while the writer's queue is past its high-water mark (new positions refused)",
            value=1.0 if writer.saturated else 0.0,
        )
        yield CounterMetricFamily(
            "arbig_writer_committed_rows", "Book rows committed", value=writer.committed
        )
        yield CounterMetricFamily(
            "arbig_writer_dropped_rows", "Invalid book rows dropped", value=writer.dropped
        )
        yield GaugeMetricFamily(
            "arbig_database_up",
            "1 while the book writer commits (0 while the database is away)",
            value=1.0 if writer.healthy else 0.0,
        )
        if s.redis:
            yield GaugeMetricFamily(
                "arbig_redis_up",
                "1 while the Redis tick store is connected",
                value=1.0 if s.tick_store.healthy else 0.0,
            )

    def _states(self) -> Iterator[Metric]:
        controls = self._sources.controls
        if controls is None:
            return
        status = controls.trading_status()
        state = GaugeMetricFamily(
            "arbig_trading_state",
            "The trading state: 1 for the current one (active, reducing, halted)",
            labels=["state"],
        )
        for candidate in TradingState:
            state.add_metric([candidate.value], 1.0 if status.state is candidate else 0.0)
        yield state
        yield GaugeMetricFamily(
            "arbig_emergency_stop_engaged",
            "1 while the emergency stop is engaged",
            value=1.0 if status.emergency else 0.0,
        )
        strategy = controls.strategy_status()
        family = GaugeMetricFamily(
            "arbig_strategy_state",
            "The strategy engine: 1 for the current state (running, stopped, failed)",
            labels=["state"],
        )
        for candidate_state in STRATEGY_STATES:
            family.add_metric([candidate_state], 1.0 if strategy.state == candidate_state else 0.0)
        yield family
