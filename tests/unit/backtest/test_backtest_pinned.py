"""The exact result of one fixed backtest: any change to what the kernel decides, fills,
charges or marks shows here (a faster kernel must give the same run).

The reversing moving-average strategy of ``bench/bench_backtest.py`` over two simulated
trading days (a day rollover, yesterday's lots, orders expiring), every order allowed.
The figures were taken from the kernel as it stood and checked equal before and after
each change to the order and fill path; update them only with a change that is meant
to alter a backtest's result, and say why in its commit."""

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import structlog
from structlog.testing import LogCapture

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import run_backtest
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.config import RiskSettings, Settings
from arbig.domain.calendar import TradingCalendar
from arbig.engine import core, oms

SYMBOL = "au2708"


def pinned_run() -> tuple[BacktestResult, list[dict[str, object]]]:
    """The run, and what it logged."""
    settings = Settings(
        main_contract=SYMBOL,
        risk=RiskSettings(
            max_orders_per_day=10**6, max_orders_per_minute=10**6, duplicate_window_s=0
        ),
    )
    calendar = TradingCalendar.gold()
    days = days_from(calendar, date(2026, 6, 4), 2)
    source = DataSource("synth", seed=1, interval_ms=10000)
    ticks = simulated(settings.contract_spec(SYMBOL), calendar, days, source)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})
    # The modules' own loggers are swapped for one that keeps what they say: an earlier
    # test's logging set-up (cached loggers, a level) must not hide it from this one.
    capture = LogCapture()
    keeper = structlog.wrap_logger(None, processors=[capture], wrapper_class=structlog.BoundLogger)
    logs = capture.entries
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core, "log", keeper)
        patch.setattr(oms, "log", keeper)
        result = run_backtest(settings, spec, ticks)
    return result, logs


@pytest.fixture(scope="module")
def run() -> tuple[BacktestResult, list[dict[str, object]]]:
    return pinned_run()


def digest(lines: object) -> str:
    return hashlib.sha256(repr(lines).encode()).hexdigest()[:16]


def test_the_fills_balance_and_triggers_are_those_pinned(
    run: tuple[BacktestResult, list[dict[str, object]]],
) -> None:
    result, _ = run
    fills = [
        (f.datetime.isoformat(), str(f.side), str(f.offset), f.price, f.volume, f.commission)
        for f in result.fills
    ]
    triggers = [
        (t.datetime.isoformat(), t.action, t.condition, t.price, t.result) for t in result.triggers
    ]
    curve = [(p.datetime.isoformat(), p.balance) for p in result.curve]

    assert result.ticks == 6660
    assert len(fills) == 772
    assert Counter(offset for _, _, offset, *_ in fills) == {
        "open": 386,
        "close_today": 385,
        "close_yesterday": 1,
    }
    assert sum(f.commission for f in result.fills) == Decimal("7720.00")
    assert result.curve[-1].balance == Decimal("986660.00")
    assert Counter(t.result for t in result.triggers) == {"success": 804, "failed": 8}
    assert (digest(fills), digest(triggers), digest(curve)) == (
        "c461ec1dfdff91e7",
        "ab205bb83d657d7f",
        "49a1b9175bc4f300",
    )


def test_the_book_and_the_exchange_agree_on_the_account_after_every_report(
    run: tuple[BacktestResult, list[dict[str, object]]],
) -> None:
    """The core compares its account with the exchange's at every report: an order sent
    on a tick and filled at it must be reported accepted before filled, with the account
    marked at that tick, or the two are a fill apart (and a warning is logged per fill)."""
    _, logs = run
    events = Counter(str(entry["event"]) for entry in logs)
    assert events["account differs from the broker's"] == 0
    assert events["stale order update ignored"] == 0
    assert events["order sent"] > 700
