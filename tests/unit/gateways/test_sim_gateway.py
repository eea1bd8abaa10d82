"""SimGateway: the simulated exchange as seen through the gateway port."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from simkit import SYMBOL, RecordingListener, make_settings, request, spec_for

from arbig.clock import DrivenClock, LiveClock
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.enums import Direction, Offset, OrderStatus, Side
from arbig.domain.tick import Tick
from arbig.gateways.base import Gateway, GatewayError
from arbig.gateways.sim import STATE_FILE_NAME, SimGateway, default_state_path
from arbig.gateways.sim.state import load_state
from arbig.testkit import MONDAY_10AM, monday_clock

SATURDAY_NOON = datetime(2026, 6, 6, 4, 0, tzinfo=UTC)


def build(
    path: Path, clock: DrivenClock | None = None, *, autotick: bool = False, **sim: Any
) -> tuple[SimGateway, RecordingListener]:
    gateway = SimGateway(
        make_settings(**sim),
        spec_for,
        TradingCalendar.gold(),
        path,
        clock or monday_clock(),
        autotick=autotick,
    )
    listener = RecordingListener()
    gateway.set_listener(listener)
    return gateway, listener


async def started(
    path: Path, clock: DrivenClock, **sim: Any
) -> tuple[SimGateway, RecordingListener]:
    gateway, listener = build(path, clock, **sim)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    return gateway, listener


def tick_now(gateway: SimGateway, clock: DrivenClock) -> Tick:
    clock.advance(0.5)
    (tick,) = gateway.step()
    return tick


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / STATE_FILE_NAME


def test_sim_gateway_implements_the_gateway_port(path: Path) -> None:
    gateway: Gateway = build(path)[0]
    assert gateway.name == "sim"


def test_the_default_state_file_lives_in_the_data_folder() -> None:
    settings = make_settings()
    assert default_state_path(settings) == settings.data_dir / "sim-exchange.json"


async def test_a_step_pushes_one_timezone_aware_tick_per_subscribed_symbol(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = await started(path, clock)
    await gateway.subscribe("au2608")
    ticks = gateway.step()
    assert [t.symbol for t in ticks] == [SYMBOL, "au2608"]
    assert listener.of("tick") == ticks
    assert all(t.datetime.utcoffset() is not None for t in ticks)
    assert ticks[0].trading_day == TradingCalendar.gold().trading_day(clock.now())
    await gateway.unsubscribe("au2608")
    assert [t.symbol for t in gateway.step()] == [SYMBOL]
    await gateway.close()


async def test_subscribing_an_unknown_symbol_fails(path: Path) -> None:
    gateway, _ = await started(path, monday_clock())
    with pytest.raises(GatewayError, match="unknown symbol"):
        await gateway.subscribe("btcusdt")
    await gateway.close()


async def test_send_order_returns_the_id_at_once_and_pushes_the_update_right_after(
    path: Path,
) -> None:
    clock = monday_clock()
    gateway, listener = await started(path, clock)
    tick = tick_now(gateway, clock)
    order_id = await gateway.send_order(request(Side.BUY, str(tick.bid_price), 1))
    assert listener.of("order") == []
    await asyncio.sleep(0)
    (order,) = listener.of("order")
    assert (order.order_id, order.status) == (order_id, OrderStatus.NOT_TRADED)
    assert listener.of("account")[-1].available < Decimal("1000000.00")
    await gateway.close()


async def test_a_rejection_arrives_through_on_order(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = await started(path, clock)
    tick_now(gateway, clock)
    await gateway.send_order(request(Side.BUY, "920.01", 1))
    await asyncio.sleep(0)
    (order,) = listener.of("order")
    assert order.status is OrderStatus.REJECTED
    assert "price tick" in order.reject_reason
    await gateway.close()


async def test_a_marketable_order_fills_on_the_next_tick_and_the_book_follows(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = await started(path, clock)
    tick = tick_now(gateway, clock)
    order_id = await gateway.send_order(request(Side.BUY, str(tick.limit_up), 1))
    next_tick = tick_now(gateway, clock)
    statuses = [o.status for o in listener.of("order") if o.order_id == order_id]
    assert statuses == [OrderStatus.NOT_TRADED, OrderStatus.ALL_TRADED]
    (trade,) = listener.of("trade")
    assert trade.price == next_tick.ask_price and trade.commission == Decimal("10.00")
    (position,) = await gateway.query_positions()
    assert (position.direction, position.volume_today) == (Direction.LONG, 1)
    assert (await gateway.query_account()).commission == Decimal("10.00")
    assert listener.events[-1][0] == "account"
    await gateway.close()


class SendsOnTick(RecordingListener):
    """Sends a marketable buy from inside its first on_tick, as a strategy deciding on a
    tick does (the order's coroutine runs on the caller's stack, as an eager job's)."""

    gateway: SimGateway | None = None

    def on_tick(self, tick: Tick) -> None:
        super().on_tick(tick)
        if self.gateway is not None:
            gateway, self.gateway = self.gateway, None
            sending = gateway.send_order(request(Side.BUY, str(tick.limit_up), 1))
            with pytest.raises(StopIteration):
                sending.send(None)


async def test_an_order_sent_on_a_tick_is_acknowledged_before_that_tick_fills_it(
    path: Path,
) -> None:
    clock = monday_clock()
    gateway, _ = build(path, clock, fill_latency_ms=0)
    listener = SendsOnTick()
    gateway.set_listener(listener)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    tick_now(gateway, clock)  # the exchange has a price
    listener.gateway = gateway
    listener.events.clear()
    tick_now(gateway, clock)
    kinds = [name for name, _ in listener.events]
    assert kinds == ["tick", "order", "account", "order", "trade", "account"]
    ack, filled = listener.of("order")
    assert (ack.status, filled.status) == (OrderStatus.NOT_TRADED, OrderStatus.ALL_TRADED)
    acked, after = listener.of("account")
    assert (acked.frozen_margin > 0, acked.margin) == (True, Decimal(0))
    assert (after.frozen_margin, after.margin > 0) == (Decimal(0), True)
    await gateway.close()


async def test_cancel_pushes_the_cancelled_order_and_unknown_ids_raise(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = await started(path, clock)
    tick = tick_now(gateway, clock)
    order_id = await gateway.send_order(request(Side.BUY, str(tick.limit_down), 1))
    await gateway.cancel_order(order_id)
    await asyncio.sleep(0)
    assert [o.status for o in listener.of("order")] == [
        OrderStatus.NOT_TRADED,
        OrderStatus.CANCELLED,
    ]
    assert (await gateway.query_account()).available == Decimal("1000000.00")
    with pytest.raises(GatewayError, match="unknown order"):
        await gateway.cancel_order("S9999-000001")
    await gateway.close()


async def test_a_restart_keeps_orders_positions_cash_and_never_reuses_an_id(path: Path) -> None:
    clock = monday_clock()
    gateway, _ = await started(path, clock)
    tick = tick_now(gateway, clock)
    filled = await gateway.send_order(request(Side.BUY, str(tick.limit_up), 2))
    tick_now(gateway, clock)
    working = await gateway.send_order(request(Side.SELL, str(tick.limit_up), 1, Offset.CLOSE))
    before = await gateway.query_account(), await gateway.query_trades()
    orders_before = await gateway.query_orders()
    await gateway.close()

    again, _ = await started(path, clock)
    assert await again.query_orders() == orders_before
    assert (await again.query_account()).commission == before[0].commission
    assert await again.query_trades() == before[1]
    (position,) = await again.query_positions()
    assert position.volume == 2
    tick_now(again, clock)
    new_id = await again.send_order(request(Side.SELL, str(tick.limit_up), 1, Offset.CLOSE))
    assert new_id not in {filled, working}
    assert new_id.startswith("S0002-")
    await again.close()


async def test_outside_trading_sessions_there_are_no_ticks_and_orders_are_refused(
    path: Path,
) -> None:
    clock = DrivenClock(SATURDAY_NOON)
    gateway, listener = await started(path, clock, ignore_sessions=False)
    assert gateway.step() == []
    await gateway.send_order(request())
    await asyncio.sleep(0)
    assert "market is closed" in listener.of("order")[0].reject_reason
    await gateway.close()


async def test_with_ignore_sessions_the_market_ticks_at_the_weekend(path: Path) -> None:
    gateway, _ = await started(path, DrivenClock(SATURDAY_NOON), ignore_sessions=True)
    assert len(gateway.step()) == 1
    await gateway.close()


async def test_the_gateway_ticks_at_its_cadence_sped_up_on_its_clock(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = build(path, clock, autotick=True, tick_interval_ms=200, speed=10)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    clock.advance(0.5)
    ticks = listener.of("tick")
    assert len(ticks) == 25
    assert ticks[0].datetime == to_exchange_time(MONDAY_10AM + timedelta(seconds=0.02))
    assert ticks[-1].datetime == to_exchange_time(MONDAY_10AM + timedelta(seconds=0.5))
    await gateway.close()


async def test_the_gateway_ticks_on_the_live_clock_too(path: Path) -> None:
    gateway = SimGateway(
        make_settings(tick_interval_ms=10, speed=1),
        spec_for,
        TradingCalendar.gold(),
        path,
        LiveClock(),
    )
    listener = RecordingListener()
    gateway.set_listener(listener)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    await asyncio.sleep(0.2)
    await gateway.close()
    assert 3 <= len(listener.of("tick")) <= 21  # 20 expected; slack for a busy machine


async def test_close_stops_the_ticks_saves_and_refuses_further_calls(path: Path) -> None:
    clock = monday_clock()
    gateway, listener = build(path, clock, autotick=True, tick_interval_ms=10, speed=1)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    clock.advance(0.05)
    await gateway.close()
    count = len(listener.of("tick"))
    assert count == 5
    clock.advance(0.05)
    assert len(listener.of("tick")) == count
    assert listener.events[-1] == ("connection", False)
    assert load_state(path) is not None
    await gateway.close()  # a second close is harmless
    with pytest.raises(GatewayError, match="not connected"):
        await gateway.send_order(request())


async def test_a_restarted_market_continues_from_its_last_price(path: Path) -> None:
    clock = monday_clock()
    gateway, _ = await started(path, clock)
    last = [tick_now(gateway, clock) for _ in range(20)][-1]
    await gateway.close()
    again, _ = await started(path, clock)
    first = tick_now(again, clock)
    assert abs(first.last_price - last.last_price) < Decimal("5")
    assert first.volume >= last.volume
    await again.close()


class SendingOnTick(RecordingListener):
    """Sends a buy (marketable, or at the limit down with ``marketable`` False) while a
    tick is being delivered, as a strategy deciding on the tick does when its trigger
    store answers at once (a backtest's): the order reaches the exchange before the
    snapshot has been matched."""

    def __init__(self, gateway: SimGateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.send = False
        self.marketable = True
        self.order_ids: list[str] = []

    def on_tick(self, tick: Tick) -> None:
        super().on_tick(tick)
        if self.send:
            self.send = False
            price = tick.limit_up if self.marketable else tick.limit_down
            sending = self.gateway.send_order(request(Side.BUY, str(price), 1))
            with pytest.raises(StopIteration) as sent:  # it never waits
                sending.send(None)
            self.order_ids.append(sent.value.value)


async def sending_on_tick(path: Path) -> tuple[DrivenClock, SimGateway, SendingOnTick]:
    """A connected gateway on a Monday, subscribed, whose listener sends on ticks."""
    clock = monday_clock()
    gateway, _ = build(path, clock)
    listener = SendingOnTick(gateway)
    gateway.set_listener(listener)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    return clock, gateway, listener


async def test_an_order_sent_on_a_tick_is_reported_accepted_before_its_fill_at_that_tick(
    path: Path,
) -> None:
    clock, gateway, listener = await sending_on_tick(path)
    listener.send = True
    tick = tick_now(gateway, clock)
    (order_id,) = listener.order_ids
    after = listener.events[listener.events.index(("tick", tick)) + 1 :]
    assert [(kind, getattr(p, "status", None)) for kind, p in after] == [
        ("order", OrderStatus.NOT_TRADED),
        ("account", None),
        ("order", OrderStatus.ALL_TRADED),
        ("trade", None),
        ("account", None),
    ]
    accepted, filled = after[1][1], after[4][1]
    assert accepted.frozen_margin > 0 and accepted.margin == 0
    assert filled == await gateway.query_account()
    (trade,) = listener.of("trade")
    assert (trade.order_id, trade.price) == (order_id, tick.ask_price)
    await gateway.close()


async def test_the_account_reported_with_an_order_sent_on_a_tick_is_marked_at_that_tick(
    path: Path,
) -> None:
    clock, gateway, listener = await sending_on_tick(path)
    listener.send = True
    bought = tick_now(gateway, clock)
    gateway.steer(SYMBOL, bought.last_price + 10)
    listener.send = True
    tick = tick_now(gateway, clock)
    assert tick.last_price != bought.last_price
    after = listener.events[listener.events.index(("tick", tick)) + 1 :]
    kind, accepted = after[1]
    assert kind == "account"
    (first, _) = listener.of("trade")
    assert accepted.unrealized_pnl == (tick.last_price - first.price) * 1000
    await gateway.close()


async def test_an_order_sent_on_the_first_tick_of_a_trading_day_works_and_yesterdays_expire(
    path: Path,
) -> None:
    """The day's working orders expire as the next day's first snapshot is taken in,
    before it is shown: an order sent on that snapshot belongs to the new day."""
    clock, gateway, listener = await sending_on_tick(path)
    listener.marketable = False
    tick_now(gateway, clock)
    listener.send = True
    monday = tick_now(gateway, clock)
    clock.advance(11 * 3600)  # 21:00: the night session opens the next trading day
    listener.send = True
    tuesday = tick_now(gateway, clock)
    assert tuesday.trading_day > monday.trading_day
    await asyncio.sleep(0)
    old, new = listener.order_ids
    last = {o.order_id: o for o in listener.of("order")}
    assert last[old].status is OrderStatus.CANCELLED
    assert last[new].status is OrderStatus.NOT_TRADED
    assert [o.order_id for o in await gateway.query_orders() if o.is_active] == [new]
    await gateway.close()
