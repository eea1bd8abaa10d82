"""A short real backtest shared by the module's tests (one replay, reused)."""

from datetime import date

import pytest

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import run_backtest
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar

SYMBOL = "au2708"


@pytest.fixture(scope="session")
def ma_run() -> BacktestResult:
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 2)
    source = DataSource("synth", seed=5, interval_ms=5000)
    ticks = simulated(settings.contract_spec(SYMBOL), calendar, days, source)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})
    return run_backtest(settings, spec, ticks)
