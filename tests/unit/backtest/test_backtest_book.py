"""A backtest's book keeps fills and settlements only: the core builds no position or
account snapshot for it (the live writer's are built and recorded as before)."""

from datetime import date, datetime
from itertools import islice

import pytest

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import run_backtest
from arbig.backtest.spec import BacktestSpec
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.engine.core import TradingCore
from arbig.engine.portfolio import Portfolio

SYMBOL = "au2708"


def test_a_backtest_builds_no_snapshot_of_the_book(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    positions, account = Portfolio.position_snapshots, Portfolio.account_snapshot

    def position_snapshots(self: Portfolio, now: datetime) -> list[PositionSnapshot]:
        built.append("positions")
        return positions(self, now)

    def account_snapshot(self: Portfolio, now: datetime) -> AccountSnapshot:
        built.append("account")
        return account(self, now)

    monkeypatch.setattr(Portfolio, "position_snapshots", position_snapshots)
    monkeypatch.setattr(Portfolio, "account_snapshot", account_snapshot)
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 1)
    source = DataSource("synth", seed=1, interval_ms=5000)
    ticks = islice(simulated(settings.contract_spec(SYMBOL), calendar, days, source), 1500)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})

    result = run_backtest(settings, spec, ticks)

    assert result.metrics.fills > 10
    assert built == []


def test_a_backtest_runs_no_snapshot_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its book records no snapshot: a timer taking one every few seconds would do nothing.
    rounds: list[datetime] = []
    snapshot = TradingCore._snapshot

    def counted(self: TradingCore) -> None:
        rounds.append(self.clock.now())
        snapshot(self)

    monkeypatch.setattr(TradingCore, "_snapshot", counted)
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 1)
    source = DataSource("synth", seed=1, interval_ms=5000)
    ticks = islice(simulated(settings.contract_spec(SYMBOL), calendar, days, source), 300)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})

    result = run_backtest(settings, spec, ticks)

    assert result.ticks == 300
    assert rounds == []


def test_a_results_repr_is_a_summary_not_the_whole_run() -> None:
    # asyncio.run formats its task's result on the way out: a repr of every fill,
    # trigger and curve point would cost as much as the run has fills.
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 1)
    source = DataSource("synth", seed=1, interval_ms=5000)
    ticks = islice(simulated(settings.contract_spec(SYMBOL), calendar, days, source), 1500)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})

    result = run_backtest(settings, spec, ticks)

    assert result.metrics.fills > 10
    text = repr(result)
    assert f"fills={len(result.fills)}" in text and "ticks=1500" in text
    assert len(text) < 400
