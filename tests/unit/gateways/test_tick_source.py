"""The tick-source seam: a scripted list of ticks feeds the simulated exchange the way
its own random walk does, each tick at its own time on the gateway's clock."""

import asyncio
from datetime import timedelta
from pathlib import Path

from simkit import SYMBOL, RecordingListener, make_settings, make_tick, request, spec_for

from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import OrderStatus
from arbig.domain.trade import Trade
from arbig.gateways.sim import SimGateway
from arbig.gateways.ticksource import ScriptedTicks
from arbig.testkit import MONDAY_10AM, monday_clock


def second(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_scripted_snapshot_gives_the_ticks_due_in_time_order_once() -> None:
    late = make_tick("921.00", "921.02", at=MONDAY_10AM + second(2))
    early = make_tick("920.00", "920.02", at=MONDAY_10AM + second(1))
    other = make_tick("500.00", "500.02", symbol="au2702", at=MONDAY_10AM + second(1))
    source = ScriptedTicks([late, other, early])
    assert source.snapshot(MONDAY_10AM, {SYMBOL}) == []
    assert source.snapshot(MONDAY_10AM + second(1.5), {SYMBOL}) == [early]  # au2702 dropped
    assert source.snapshot(MONDAY_10AM + second(5), {SYMBOL}) == [late]
    assert source.remaining == 0
    assert source.snapshot(MONDAY_10AM + second(9), {SYMBOL}) == []


def test_scripted_ticks_fall_due_at_their_own_times_until_stopped() -> None:
    clock = monday_clock()
    source = ScriptedTicks([make_tick(at=MONDAY_10AM + second(n)) for n in (1, 2, 4)])
    due: list[timedelta] = []
    timer = source.start(clock, lambda: due.append(clock.now() - MONDAY_10AM))
    clock.advance(2.5)
    assert due == [second(1), second(2)]
    timer.cancel()
    clock.advance(5)
    assert len(due) == 2


async def test_the_sim_gateway_pushes_and_matches_scripted_ticks_on_its_clock(
    tmp_path: Path,
) -> None:
    clock = monday_clock()
    ticks = [
        make_tick("920.00", "920.02", at=MONDAY_10AM + second(1)),
        make_tick("919.96", "919.98", at=MONDAY_10AM + second(2)),
    ]
    gateway = SimGateway(
        make_settings(),
        spec_for,
        TradingCalendar.gold(),
        tmp_path / "sim.json",
        clock,
        source=ScriptedTicks(ticks),
    )
    listener = RecordingListener()
    gateway.set_listener(listener)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    clock.advance(1)
    assert listener.of("tick") == ticks[:1]
    order_id = await gateway.send_order(request(price="920.00"))  # below the ask: rests
    await asyncio.sleep(0)
    clock.advance(1)  # the ask comes down to 919.98: the buy fills at the ask
    [trade] = listener.of("trade")
    assert isinstance(trade, Trade)
    assert (trade.order_id, trade.price, trade.datetime) == (
        order_id,
        ticks[1].ask_price,
        ticks[1].datetime,
    )
    assert listener.of("order")[-1].status is OrderStatus.ALL_TRADED
    assert listener.of("tick") == ticks
    await gateway.close()
