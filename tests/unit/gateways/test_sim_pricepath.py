"""The simulated price path: on the tick grid, inside the limit band, reproducible."""

import itertools
import math
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import MONDAY, MONDAY_10AM, spec

from arbig.domain.tick import Tick
from arbig.gateways.sim.pricepath import PricePath

TUESDAY = date(2026, 6, 2)


def run(path: PricePath, count: int, day: date = MONDAY) -> list[Tick]:
    start = MONDAY_10AM
    return [path.next_tick(start + timedelta(seconds=i / 2), day) for i in range(count)]


def fresh(seed: int | None = 1, volatility: float = 0.00025, price: str = "920.00") -> PricePath:
    return PricePath.start(spec(), Decimal(price), volatility, seed)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    volatility=st.floats(0.00001, 0.049),
    price=st.decimals("100.00", "2000.00", places=2),
)
def test_every_price_is_on_the_tick_and_inside_the_limit_band(
    seed: int, volatility: float, price: Decimal
) -> None:
    contract = spec()
    for tick in run(fresh(seed, volatility, str(price)), 300):
        down, up = contract.limit_band(tick.pre_settlement)
        assert (tick.limit_down, tick.limit_up) == (down, up)
        for value in (tick.last_price, tick.bid_price, tick.ask_price, tick.high_price):
            assert contract.is_on_tick(value)
            assert down <= value <= up
        assert tick.bid_price < tick.ask_price <= tick.bid_price + 2 * contract.price_tick
        assert tick.bid_price <= tick.last_price <= tick.ask_price
        assert 1 <= tick.bid_volume <= 50 and 1 <= tick.ask_volume <= 50
        assert tick.low_price <= tick.last_price <= tick.high_price
        assert tick.open_interest >= 0


def test_the_same_seed_gives_the_same_path_and_another_seed_another() -> None:
    assert run(fresh(42), 200) == run(fresh(42), 200)
    assert run(fresh(42), 200) != run(fresh(43), 200)


def test_a_restored_snapshot_continues_the_same_path() -> None:
    whole = fresh(5)
    expected = run(whole, 100)[50:]
    first_half = fresh(5)
    run(first_half, 50)
    resumed = PricePath(spec(), 0.00025, first_half.snapshot())
    start = MONDAY_10AM
    rest = [resumed.next_tick(start + timedelta(seconds=i / 2), MONDAY) for i in range(50, 100)]
    assert rest == expected


def test_volume_and_turnover_accumulate_over_the_day() -> None:
    ticks = run(fresh(3), 300)
    turnover, previous = Decimal(0), 0
    for tick in ticks:
        assert tick.volume >= previous
        turnover += tick.last_price * (tick.volume - previous) * 1000
        previous = tick.volume
        assert tick.turnover == turnover
    assert ticks[-1].volume > 0


def test_the_day_open_high_and_low_follow_the_trades() -> None:
    ticks = run(fresh(9), 300)
    traded = [t for t in ticks if t.volume > 0]
    assert traded[0].open_price == traded[0].last_price
    assert ticks[-1].high_price == max(t.last_price for t in traded)
    assert ticks[-1].low_price == min(t.last_price for t in traded)


def test_a_new_trading_day_settles_at_the_volume_weighted_price_and_restarts_the_counters() -> None:
    path = fresh(11)
    monday = run(path, 200)
    last = monday[-1]
    tuesday = path.next_tick(datetime(2026, 6, 2, 1, 0, tzinfo=MONDAY_10AM.tzinfo), TUESDAY)
    vwap = last.turnover / (last.volume * 1000)
    assert tuesday.pre_settlement == spec().snap(vwap)
    assert tuesday.pre_close == last.last_price
    assert tuesday.volume < last.volume
    assert (tuesday.limit_down, tuesday.limit_up) == spec().limit_band(tuesday.pre_settlement)


def test_the_price_moves_and_big_moves_cluster() -> None:
    ticks = run(fresh(2, volatility=0.001), 4000)
    returns = [math.log(float(b.last_price / a.last_price)) for a, b in itertools.pairwise(ticks)]
    assert len({t.last_price for t in ticks}) > 50
    size = [abs(r) for r in returns]
    mean = sum(size) / len(size)
    lag1 = sum((a - mean) * (b - mean) for a, b in itertools.pairwise(size))
    assert lag1 > 0  # volatility clustering: a big move tends to follow a big move
