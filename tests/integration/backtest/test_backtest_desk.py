"""The console's backtester: a run started from the web goes to its worker process, is
recorded as running, reports progress, and ends recorded with its figures and series;
a bad request is refused naming the field."""

import asyncio
import time
from datetime import date
from pathlib import Path

import pytest

from arbig.api.backtests import BacktestRefused, BacktestRequest, RunNotFound
from arbig.backtest.service import BacktestDesk
from arbig.config import Settings
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)
async def test_a_run_started_from_the_console_ends_recorded_with_its_series(
    tmp_path: Path,
) -> None:
    settings = Settings(main_contract="au2708", data_dir=tmp_path)
    engine = create_engine(settings.sqlalchemy_url)
    await upgrade(engine)
    desk = BacktestDesk(settings, session_factory(engine))
    try:
        with pytest.raises(BacktestRefused) as refused:
            await desk.start(BacktestRequest("ma_crossover", {"fast": 30, "slow": 20}))
        assert refused.value.field == "params"
        with pytest.raises(BacktestRefused) as no_data:
            await desk.start(BacktestRequest("ma_crossover"))
        assert no_data.value.field == "symbol"  # the catalog is empty

        request = BacktestRequest(
            "ma_crossover", {"source": "tick"}, first=date(2026, 6, 4), synth_days=1
        )
        started = await desk.start(request)
        assert started.status == "running"
        assert [r.run_id for r in await desk.runs()] == [started.run_id]
        deadline = time.monotonic() + 240
        while (detail := await desk.run(started.run_id)).summary.status == "running":
            assert time.monotonic() < deadline, "the run did not end"
            await asyncio.sleep(0.2)
        summary = detail.summary
        assert summary.status == "done", summary.error
        assert summary.progress == 1.0 and summary.ticks > 0
        assert summary.metrics is not None and summary.metrics["fills"] > 0
        assert len(detail.series["fills"]) == summary.metrics["fills"]
        assert detail.series["curve"] and detail.series["prices"]
        with pytest.raises(RunNotFound):
            await desk.run("0" * 32)
    finally:
        await desk.close()
        await engine.dispose()
