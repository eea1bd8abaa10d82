"""The simulated market looks like SHFE gold: months on one curve with a carry, open
interest that stays in its band, and snapshot moves of a few ticks."""

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from statistics import mean

from simkit import RecordingListener, make_settings, spec_for

from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick
from arbig.gateways.sim import STATE_FILE_NAME, SimGateway
from arbig.gateways.sim.pricepath import CARRY_PER_YEAR, OPEN_INTEREST_BAND, PricePath
from arbig.testkit import MONDAY_10AM, monday_clock

FRONT, LATER = "au2612", "au2704"


async def test_later_months_keep_their_carry_spread_over_the_front(tmp_path: Path) -> None:
    clock = monday_clock()
    gateway = SimGateway(
        make_settings(seed=3), spec_for, TradingCalendar.gold(),
        tmp_path / STATE_FILE_NAME, clock, autotick=False,
    )  # fmt: skip
    gateway.set_listener(RecordingListener())
    await gateway.connect()
    await gateway.subscribe(LATER)  # subscribed first: the curve still starts at the front
    await gateway.subscribe(FRONT)
    spreads: list[Decimal] = []
    for _ in range(6000):
        clock.advance(0.5)
        ticks = {t.symbol: t for t in gateway.step()}
        spreads.append(ticks[LATER].last_price - ticks[FRONT].last_price)
    await gateway.close()
    carry = Decimal(920 * CARRY_PER_YEAR * 4 / 12)  # four months of carry, about 7.67
    assert all(abs(spread - carry) < 2 for spread in spreads), (min(spreads), max(spreads))
    steps = [abs(b - a) for a, b in pairwise(spreads)]
    assert max(steps) <= Decimal("0.10")  # the spread moves by a few ticks at most
    assert abs(mean(spreads[-1000:]) - carry) < 1


def test_open_interest_stays_in_its_band_without_drifting() -> None:
    path = PricePath.start(spec_for(FRONT), Decimal("920.00"), 0.000045, 11)
    low, high = OPEN_INTEREST_BAND
    day = MONDAY_10AM.date()
    interest = [
        path.next_tick(MONDAY_10AM + timedelta(seconds=i / 2), day).open_interest
        for i in range(40_000)
    ]
    assert all(low <= oi <= high for oi in interest)
    middle = (low + high) / 2
    assert abs(mean(interest[-10_000:]) - middle) < 0.15 * middle


def test_a_snapshot_moves_the_price_a_few_ticks_at_most_and_often_not_at_all() -> None:
    spec = spec_for(FRONT)
    path = PricePath.start(spec, Decimal("920.00"), 0.000045, 5)
    day = MONDAY_10AM.date()
    ticks: list[Tick] = [
        path.next_tick(MONDAY_10AM + timedelta(seconds=i / 2), day) for i in range(20_000)
    ]
    moves = [abs(b.last_price - a.last_price) / spec.price_tick for a, b in pairwise(ticks)]
    unchanged = sum(1 for m in moves if m == 0) / len(moves)
    assert 0.10 <= unchanged <= 0.35
    assert 1 <= mean(moves) <= 2.5
    assert sorted(moves)[int(len(moves) * 0.99)] <= 8
