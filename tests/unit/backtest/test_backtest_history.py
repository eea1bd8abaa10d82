"""``load_bars`` in a backtest: a strategy starting on the first replayed day gets the
catalog's bars of the days before it, as it gets the bar store's live."""

from datetime import date, datetime
from pathlib import Path

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.spec import BacktestSpec
from arbig.backtest.sweep import Job, run_job
from arbig.catalog import Catalog
from arbig.config import Settings, StrategySettings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.runtime import catalog_bars

SYMBOL = "au2708"
CALENDAR = TradingCalendar.gold()


def test_a_strategy_starting_in_a_backtest_loads_the_bars_before_it(tmp_path: Path) -> None:
    settings = Settings(
        main_contract=SYMBOL,
        strategy=StrategySettings(modules=[str(Path(__file__).parent / "backtest_strategies.py")]),
    )
    catalog = Catalog(tmp_path / "catalog")
    first, second = days_from(CALENDAR, date(2026, 6, 4), 2)
    source = DataSource("synth", seed=8, interval_ms=30_000)
    ticks = list(simulated(settings.contract_spec(SYMBOL), CALENDAR, [first, second], source))
    catalog.write_ticks(SYMBOL, first, [t for t in ticks if t.trading_day == first])
    catalog.write_ticks(SYMBOL, second, [t for t in ticks if t.trading_day == second])

    spec = BacktestSpec("bar_loader", SYMBOL, first=second)
    result = run_job(Job(settings, spec, DataSource("catalog", root=tmp_path / "catalog")))

    said = result.triggers[0].condition
    assert said == "loaded 30 bars, bars 30, last 2026-06-04T14:59:00+08:00"
    assert result.data_first is not None and result.data_first.date() == date(2026, 6, 4)
    assert CALENDAR.trading_day(result.data_first) == second  # the night before day two

    # Live, the runtime reads the same catalog when the bar store has too few.
    before = datetime(2026, 6, 4, 15, 30, tzinfo=EXCHANGE_TZ)
    live = catalog_bars(catalog, SYMBOL, before, 30)
    assert len(live) == 30 and live[-1].start.isoformat() == "2026-06-04T14:59:00+08:00"
