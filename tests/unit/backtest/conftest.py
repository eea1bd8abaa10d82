"""A short real backtest shared by the module's tests (one replay, reused)."""

from datetime import date

import pytest

from arbig.backtest.kernel import run_backtest
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.gateways.sim.history import simulated_ticks, trading_days

SYMBOL = "au2708"


@pytest.fixture(scope="session")
def ma_run() -> BacktestResult:
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = trading_days(calendar, date(2026, 6, 4), 2)
    ticks = simulated_ticks(
        settings.contract_spec(SYMBOL), calendar, days, seed=5, interval_ms=5000
    )
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})
    return run_backtest(settings, spec, ticks)
