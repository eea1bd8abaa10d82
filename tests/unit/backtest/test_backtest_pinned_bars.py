"""The exact result of fixed backtests, pinned: fills, final balance, triggers, bars and
the equity curve (times and values), on ticks whose bars close both on the next minute's
first tick and on the bar service's timer, with a tick and a bar strategy. A change
meant to make the replay cheaper must leave every one of these as it was."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import run_backtest
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.config import RiskSettings, Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick

SYMBOL = "au2708"


def digest(result: BacktestResult) -> str:
    h = hashlib.sha256()
    for f in result.fills:
        h.update(repr((f.datetime, f.side, f.offset, f.price, f.volume, f.commission)).encode())
    for t in result.triggers:
        h.update(repr(t).encode())
    for p in result.prices:
        h.update(repr(p).encode())
    for c in result.curve:
        h.update(repr(c).encode())
    return h.hexdigest()[:16]


def gappy_ticks() -> list[Tick]:
    """A day of ticks every 2 s with the first seconds of every third minute missing:
    those bars close on the bar service's timer, not on the next minute's first tick."""
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 1)
    source = DataSource("synth", seed=11, interval_ms=2000)
    ticks = simulated(settings.contract_spec(SYMBOL), calendar, days, source)
    return [t for t in ticks if not (t.datetime.minute % 3 == 0 and t.datetime.second < 7)]


def run(params: dict[str, object], ticks: list[Tick]) -> BacktestResult:
    settings = Settings(
        main_contract=SYMBOL,
        risk=RiskSettings(max_orders_per_day=10**6, max_orders_per_minute=10**6),
    )
    return run_backtest(settings, BacktestSpec("ma_crossover", SYMBOL, params), ticks)


def test_a_tick_strategy_replays_to_the_pinned_result(ma_run: BacktestResult) -> None:
    result = ma_run
    assert (len(result.fills), result.curve[-1].balance, len(result.triggers)) == (
        1519,
        Decimal("968050.00"),
        1597,
    )
    assert (len(result.prices), len(result.curve)) == (1109, 1110)
    assert digest(result) == "db22b5be30292e06"


@pytest.mark.parametrize(
    ("source", "fills", "balance", "triggers", "pinned"),
    [
        ("tick", 3711, "925710.00", 4058, "418917311102c541"),
        ("bar", 147, "1008870.00", 151, "ec8edaafe88b4413"),
    ],
)
def test_gappy_ticks_replay_to_the_pinned_result(
    source: str, fills: int, balance: str, triggers: int, pinned: str
) -> None:
    result = run({"source": source, "fast": 3, "slow": 8}, gappy_ticks())
    assert (len(result.fills), result.curve[-1].balance, len(result.triggers)) == (
        fills,
        Decimal(balance),
        triggers,
    )
    assert (len(result.prices), len(result.curve)) == (554, 555)
    assert digest(result) == pinned
