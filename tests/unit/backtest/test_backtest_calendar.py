"""A backtest across a Friday night and a weekend, and across a month's expiry: trading
days, today's and yesterday's lots, working orders expiring at the day's end, and the
delivery-month rule, all as the live kernel keeps them."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import BacktestRun, backtest_settings, replay
from arbig.backtest.spec import BacktestSpec, FillModel
from arbig.config import Settings, StrategySettings
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.enums import Offset
from arbig.domain.performance import Fill
from arbig.domain.tick import Tick
from arbig.gateways.sim.matching import EXPIRED_REASON

CALENDAR = TradingCalendar.gold()
MA = {"source": "tick", "fast": 5, "slow": 20}


def ticks(settings: Settings, symbol: str, first: date, count: int, seed: int) -> Iterator[Tick]:
    days = days_from(CALENDAR, first, count)
    source = DataSource("synth", seed=seed, interval_ms=15000)
    return simulated(settings.contract_spec(symbol), CALENDAR, days, source)


async def test_a_friday_night_belongs_to_monday_and_lots_held_overnight_close_as_yesterdays() -> (
    None
):
    settings = Settings(main_contract="au2708")
    spec = BacktestSpec("ma_crossover", "au2708", MA)
    result = await replay(settings, spec, ticks(settings, "au2708", date(2026, 6, 4), 3, seed=11))

    assert [d.trading_day for d in result.days] == [
        date(2026, 6, 4),
        date(2026, 6, 5),
        date(2026, 6, 8),
    ]

    def on_friday_night(fill: Fill) -> bool:
        at = to_exchange_time(fill.datetime)
        return (at.date(), at.hour >= 21) == (date(2026, 6, 5), True) or (
            at.date() == date(2026, 6, 6) and at.hour <= 2
        )

    friday_night = [f for f in result.fills if on_friday_night(f)]
    assert friday_night, "the strategy traded on Friday night"
    assert {f.trading_day for f in friday_night} == {date(2026, 6, 8)}

    opened_on: dict[str, date] = {}  # the open each close takes, by the side that closes it
    overnight = 0
    for fill in result.fills:
        if fill.offset is Offset.OPEN:
            opened_on[str(fill.side.opposite)] = fill.trading_day
            continue
        same_day = opened_on[str(fill.side)] == fill.trading_day
        assert (fill.offset is Offset.CLOSE_TODAY) == same_day, fill
        overnight += not same_day
    assert overnight >= 1, "a position was held into a new trading day"
    assert result.metrics.trading_days == 3


async def test_orders_still_working_at_the_days_end_expire() -> None:
    settings = Settings(
        main_contract="au2708",
        strategy=StrategySettings(modules=[str(Path(__file__).parent / "backtest_strategies.py")]),
    )
    # A minute's latency: the order sent in the session's last half minute is still
    # working when the trading day ends.
    spec = BacktestSpec(
        "late_buyer", "au2708", {"order_timeout_s": 3600}, fill=FillModel(latency_ms=60_000)
    )
    run = BacktestRun(
        backtest_settings(settings, spec, settings.data_dir),
        spec,
        ticks(settings, "au2708", date(2026, 6, 4), 2, seed=3),
    )
    await run.run(None)

    orders = list(run.core.oms.orders.values())
    assert len(orders) == 2  # one a day
    expired = [o for o in orders if o.reject_reason == EXPIRED_REASON]
    assert len(expired) == 1  # the first day's; the second is cancelled as the run ends
    order = expired[0]
    assert CALENDAR.trading_day(order.updated_at) == date(2026, 6, 5)
    assert CALENDAR.trading_day(order.created_at) == date(2026, 6, 4)
    assert not run.core.oms.active_orders()
    assert not run.book.fills


async def test_no_position_is_opened_in_the_contracts_delivery_month() -> None:
    settings = Settings(main_contract="au2608")
    spec = BacktestSpec("ma_crossover", "au2608", MA)
    # Thursday 30 and Friday 31 July, then Monday 3 August: au2608's delivery month.
    result = await replay(settings, spec, ticks(settings, "au2608", date(2026, 7, 30), 3, seed=2))

    august = date(2026, 8, 1)
    assert any(f.offset is Offset.OPEN and f.trading_day < august for f in result.fills)
    assert not [f for f in result.fills if f.offset is Offset.OPEN and f.trading_day >= august]
    refused = [t for t in result.triggers if t.datetime.date() >= date(2026, 7, 31) and t.error]
    assert any("delivery month" in (t.error or "") for t in refused)


@pytest.mark.parametrize("first,last", [(date(2026, 6, 8), date(2026, 6, 4))])
async def test_a_range_backwards_is_refused(first: date, last: date) -> None:
    from arbig.backtest.kernel import BacktestError

    settings = Settings(main_contract="au2708")
    spec = BacktestSpec("ma_crossover", "au2708", MA, first=first, last=last)
    with pytest.raises(BacktestError, match="after --to"):
        await replay(settings, spec, [])
