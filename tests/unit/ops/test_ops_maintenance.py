"""Scheduled maintenance: the daily backup after the close, and rotated log files."""

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.clock import DrivenClock
from arbig.domain.calendar import TradingCalendar
from arbig.ops.maintenance import Maintenance
from arbig.ops.metrics import Metrics
from arbig.opsconfig import MaintenanceSettings
from arbig.storage import backup as backups
from arbig.storage.database import create_engine
from arbig.storage.migrations import upgrade

# Monday 1 June 2026, 15:44 in Shanghai.
MONDAY_1544 = datetime(2026, 6, 1, 7, 44, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


def maintenance(
    tmp_path: Path, engine: AsyncEngine, clock: DrivenClock, **settings: object
) -> tuple[Maintenance, Metrics]:
    metrics = Metrics()
    job = Maintenance(
        MaintenanceSettings(**settings),  # type: ignore[arg-type]
        tmp_path / "data",
        engine,
        metrics,
        TradingCalendar.gold([]),
        clock=clock,
    )
    return job, metrics


async def test_a_backup_a_business_day_after_the_close_and_only_the_newest_kept(
    tmp_path: Path, engine: AsyncEngine
) -> None:
    clock = DrivenClock(MONDAY_1544)
    job, metrics = maintenance(tmp_path, engine, clock, backup_at=time(15, 45), backup_keep=2)
    assert await job.tick() is None  # 15:44: not yet
    written = []
    for day in range(7):  # Monday to Sunday, each at 15:46
        clock.advance_to(MONDAY_1544 + timedelta(days=day, minutes=2))
        written.append(await job.tick())
        assert await job.tick() is None  # once a day
    assert [path is not None for path in written] == [True] * 5 + [False] * 2  # no weekend
    kept = sorted((tmp_path / "data" / "backups").iterdir())
    assert [path.name for path in kept] == [
        "arbig-20260604-154600.jsonl.gz",
        "arbig-20260605-154600.jsonl.gz",
    ]
    assert backups.read_header(kept[-1])["format"] == "arbig-backup"
    assert metrics.registry.get_sample_value("arbig_backups_total", {"outcome": "ok"}) == 5


async def test_started_after_the_time_the_backup_waits_for_the_next_day(
    tmp_path: Path, engine: AsyncEngine
) -> None:
    clock = DrivenClock(MONDAY_1544 + timedelta(hours=1))
    job, _ = maintenance(tmp_path, engine, clock, backup_at=time(15, 45))
    job.start()
    try:
        assert await job.tick() is None
    finally:
        await job.stop()


def test_the_log_file_rotates_and_keeps_its_count(tmp_path: Path) -> None:
    clock = DrivenClock(MONDAY_1544)
    log_file = tmp_path / "logs" / "arbig.log"
    job = Maintenance(
        MaintenanceSettings(log_file=log_file, log_max_bytes=10_000, log_backups=2),
        tmp_path / "data",
        create_engine("sqlite+aiosqlite://"),
        Metrics(),
        TradingCalendar.gold([]),
        clock=clock,
    )
    logger = logging.getLogger("arbig.test.rotation")
    logger.setLevel(logging.INFO)
    job.start_logs()
    try:
        for n in range(400):
            logger.info("line %d of the rotation test", n)
    finally:
        job.stop_logs()
    names = sorted(path.name for path in log_file.parent.iterdir())
    assert names == ["arbig.log", "arbig.log.1", "arbig.log.2"]
    last = json.loads(log_file.read_text().splitlines()[-1])
    assert last["event"] == "line 399 of the rotation test"
    assert last["level"] == "info"
