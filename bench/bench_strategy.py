"""Strategy engine overhead: a tick arriving at the core until its order leaves risk.

    .venv/bin/python bench/bench_strategy.py [--samples 5000]

1. baseline: a bare loop calling the same decision function (moving averages over
   the last prices, a marketable limit price, an OrderRequest) with no engine;
2. the engine: ``TradingCore.on_tick`` -> bus -> StrategyRunner -> the strategy's
   ``buy`` -> the strategy's job line -> trigger write (in-memory store) ->
   ``send_order`` -> the pre-trade risk engine -> the gateway's ``send_order``, where
   the clock stops.

The gateway here only timestamps, answers an id and then reports the order
rejected, so the book never fills up; each sample waits for that report and the
trigger's resolution before the next tick, so no work of one sample spills into
the next. The store is in memory, because a database write is the store's cost,
not the engine's (the SQLite figure is printed too, for scale).
"""

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

from arbig.clock import LiveClock
from arbig.config import RiskSettings, Settings, StrategySettings, default_main_contract
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Exchange, Offset, OrderSource, OrderStatus, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.ports import MemoryStateStore
from arbig.engine.strategy.base import Strategy, StrategyParams
from arbig.engine.strategy.orders import marketable_price
from arbig.engine.strategy.store import MemoryStrategyStore, StrategyStore
from arbig.runtime import build_controls
from arbig.ticks.memory import MemoryTickStore

SYMBOL = default_main_contract()  # a listed month outside its delivery month, today
SETTINGS = Settings(
    main_contract=SYMBOL,
    data_dir=Path(tempfile.mkdtemp(prefix="arbig-bench-")),
    risk=RiskSettings(
        max_orders_per_minute=10**9,
        max_orders_per_day=10**9,
        max_working_orders=10**9,
        duplicate_window_s=0,
    ),
)
SPEC = SETTINGS.contract_spec(SYMBOL)
CLOCK = LiveClock()


def decide(prices: deque[Decimal]) -> tuple[Decimal, Decimal]:
    """The decision both paths share: a fast and a slow moving average."""
    values = list(prices)
    return sum(values[-5:], Decimal(0)) / 5, sum(values, Decimal(0)) / len(values)


class EveryTick(Strategy[StrategyParams]):
    """Decides on every tick and buys: the worst case for the engine's overhead."""

    name = "every_tick"

    def on_start(self) -> None:
        self.prices: deque[Decimal] = deque(maxlen=20)

    def on_tick(self, tick: Tick) -> None:
        self.prices.append(tick.last_price)
        fast, slow = decide(self.prices)
        self.buy(f"fast {fast:.3f} vs slow {slow:.3f}")


class StampingGateway:
    """Records when an order arrived, then reports it rejected (so the book stays flat
    and the strategy's trigger is resolved, as with a real exchange)."""

    name = "bench"

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.reported = asyncio.Event()
        self.listener: Any = None
        self.at = 0
        self.count = 0

    def set_listener(self, listener: Any) -> None:
        self.listener = listener

    async def send_order(self, request: OrderRequest) -> str:
        self.at = time.perf_counter_ns()
        self.count += 1
        self.arrived.set()
        order_id = f"B{self.count}"
        now = datetime.now(UTC)
        order = Order.from_request(order_id, request, now).transition(OrderStatus.REJECTED, now)
        asyncio.get_running_loop().call_soon(self._report, order)
        return order_id

    def _report(self, order: Order) -> None:
        self.listener.on_order(order)
        self.reported.set()

    def __getattr__(self, name: str) -> Any:
        async def nothing(*args: Any, **kwargs: Any) -> Any:
            return None

        return nothing


class NullRecorder:
    """The book writer's interface, writing nothing."""

    queue_depth = 0
    healthy = True
    saturated = False

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def make_tick(i: int) -> Tick:
    price = Decimal("920.00") + Decimal("0.02") * (i % 37 - 18)
    down, up = SPEC.limit_band(Decimal("920.00"))
    return Tick(
        symbol=SYMBOL, exchange=Exchange.SHFE, datetime=datetime.now(UTC),
        trading_day=datetime.now(UTC).date(), last_price=price, volume=i, turnover=Decimal(0),
        open_interest=0, bid_price=price - SPEC.price_tick, bid_volume=5,
        ask_price=price, ask_volume=5, open_price=price, high_price=price, low_price=price,
        pre_settlement=Decimal("920.00"), pre_close=Decimal("920.00"), limit_up=up,
        limit_down=down,
    )  # fmt: skip


def baseline(samples: int) -> list[int]:
    prices: deque[Decimal] = deque(maxlen=20)
    out = []
    for i in range(samples):
        tick = make_tick(i)
        start = time.perf_counter_ns()
        prices.append(tick.last_price)
        fast, slow = decide(prices)
        condition = f"fast {fast:.3f} vs slow {slow:.3f}"
        price = marketable_price(SPEC, tick, Side.BUY, 3)
        OrderRequest(SYMBOL, Exchange.SHFE, Side.BUY, Offset.OPEN, price, 1,
                     source=OrderSource.STRATEGY, reference=condition)  # fmt: skip
        out.append(time.perf_counter_ns() - start)
    return out


async def engine(samples: int, store: StrategyStore) -> list[int]:
    gateway = StampingGateway()
    core = TradingCore(
        account_id="bench", capital=Decimal("1e12"), main_contract=SYMBOL,
        spec_for=SETTINGS.contract_spec, gateway=gateway,  # type: ignore[arg-type]
        recorder=NullRecorder(), source=NullRecorder(),  # type: ignore[arg-type]
        tick_store=MemoryTickStore(), tick_filter=TickFilter(TradingCalendar.gold(),
                                                             check_sessions=False),
        clock=CLOCK,
    )  # fmt: skip
    gateway.set_listener(core)
    await core.subscribe(SYMBOL)
    controls = build_controls(
        core, SETTINGS.model_copy(update={"strategy": StrategySettings()}), store,
        MemoryStateStore(), TradingCalendar.gold(), strategies={"every_tick": EveryTick},
        clock=CLOCK,
    )  # fmt: skip
    await controls.open()
    core.on_tick(make_tick(0))  # the risk engine needs a quote first
    await controls.strategy_engine.start("every_tick")
    out = []
    for i in range(1, samples + 1):
        gateway.arrived.clear()
        gateway.reported.clear()
        tick = make_tick(i)  # the gateway's work, outside the clock (as in the baseline)
        start = time.perf_counter_ns()
        core.on_tick(tick)
        await gateway.arrived.wait()
        out.append(gateway.at - start)
        await gateway.reported.wait()
        await controls.strategy_engine.idle()  # the trigger is resolved
    await controls.strategy_engine.stop()
    latest = await store.triggers("every_tick", limit=10)
    assert not any(t.is_pending for t in latest), "a trigger was left pending"
    return out


def report(name: str, values: list[int]) -> None:
    values = sorted(values)
    p50 = statistics.median(values) / 1000
    p99 = values[int(len(values) * 0.99)] / 1000
    print(f"{name:<44} p50 {p50:8.1f} us   p99 {p99:8.1f} us   n={len(values)}")


async def sqlite_store() -> tuple[StrategyStore, Any]:
    from arbig.storage.database import create_engine, session_factory
    from arbig.storage.migrations import upgrade
    from arbig.storage.strategy_store import SqlStrategyStore

    engine_ = create_engine(f"sqlite+aiosqlite:///{SETTINGS.data_dir / 'bench.sqlite3'}")
    await upgrade(engine_)
    return SqlStrategyStore(session_factory(engine_)), engine_


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2000)
    samples = parser.parse_args().samples
    # "order sent" lines would measure the terminal, not the engine
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    # figures from a busy machine are not comparable: say how busy it was
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    report("baseline: bare decision + order request", baseline(samples))
    measured = await engine(samples, MemoryStrategyStore())
    report("engine: tick -> order past risk (memory)", measured)
    store, db = await sqlite_store()
    report("engine: tick -> order past risk (SQLite)", await engine(min(samples, 500), store))
    await db.dispose()
    p99 = sorted(measured)[int(len(measured) * 0.99)] / 1000
    print(f"target p99 < 200 us (memory store): {'met' if p99 < 200 else 'NOT met'}")
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    asyncio.run(main())
