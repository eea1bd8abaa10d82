"""``backtest_runs`` as the console's backtester keeps it, on every backend: a run is
recorded as it starts, its progress moves, it ends done; runs a stopped console left
running are marked failed with the reason; runs stored before notes had codes read
back in the shape the console reads."""

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.backtest.service import BacktestDesk
from arbig.config import Settings
from arbig.storage.backtests import BacktestRunStore, NewRun, Outcome

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]


def new_run(run_id: str) -> NewRun:
    return NewRun(
        run_id=run_id,
        sweep_id=None,
        strategy="ma_crossover",
        symbol="au2612",
        params={"fast": 3},
        mode="ticks",
        data_from=None,
        data_to=None,
        fill_model={"latency_ms": 0},
        capital=Decimal("1000000.00"),
        code_version="test",
    )


async def test_a_run_is_followed_from_running_to_done(sessions: Sessions) -> None:
    store = BacktestRunStore(sessions)
    await store.begin(new_run("a" * 32))
    await store.progress("a" * 32, 0.4)
    [running] = await store.runs()
    assert (running.status, running.progress, running.metrics) == ("running", 0.4, None)
    await store.finish("a" * 32, Outcome("done", 10, 0.5, {"sharpe": 1.0}, {"curve": []}))
    detail = await store.run("a" * 32)
    assert (detail.summary.status, detail.summary.progress) == ("done", 1.0)
    assert detail.summary.metrics == {"sharpe": 1.0}
    assert detail.series == {"curve": []}


async def test_runs_left_running_are_marked_failed_with_the_reason(sessions: Sessions) -> None:
    store = BacktestRunStore(sessions)
    await store.begin(new_run("b" * 32))
    await store.begin(new_run("c" * 32))
    await store.finish("c" * 32, Outcome("done"))
    await store.abandon("stopped")
    states = {r.run_id[0]: (r.status, r.error) for r in await store.runs()}
    assert states == {"b": ("failed", "stopped"), "c": ("done", None)}
    assert (await store.run("b" * 32)).summary.finished_at is not None


async def test_a_run_stored_with_plain_sentence_notes_reads_as_coded_notes(
    sessions: Sessions,
) -> None:
    old = "positions still open at the end are valued at the last price"
    new = {"code": "open_at_end", "params": {"long": 1, "short": 0, "price": "512.30"}}
    store = BacktestRunStore(sessions)
    await store.save(new_run("d" * 32), Outcome("done", series={"notes": [old], "curve": []}))
    await store.save(new_run("e" * 32), Outcome("done", series={"notes": [new]}))
    desk = BacktestDesk(Settings(), sessions)
    assert (await desk.run("d" * 32)).series == {
        "notes": [{"code": "text", "params": {"text": old}}],
        "curve": [],
    }
    assert (await desk.run("e" * 32)).series == {"notes": [new]}
