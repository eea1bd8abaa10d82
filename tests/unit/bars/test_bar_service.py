"""The bar service: bars pushed on the bus and to subscribers, closed by the timer,
saved to the bars table and served as history."""

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from arbig.domain.bar import Bar
from arbig.engine.bars import BarService
from arbig.engine.bus import EventBus, EventType
from arbig.storage.bars import BarRepository
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from tickkit import SYMBOL, at, make_tick


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[BarRepository]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    yield BarRepository(session_factory(engine))
    await engine.dispose()


async def test_a_finished_bar_is_published_kept_saved_and_served(
    repository: BarRepository,
) -> None:
    bus = EventBus()
    clock = Clock(at("2026-11-20 09:00:10").astimezone(UTC))
    service = BarService(bus, repository, clock=clock, timer_s=3600)
    on_bus: list[Any] = []
    bus.subscribe(EventType.BAR, lambda _, bar: on_bus.append(bar))
    called: list[Bar] = []
    service.subscribe(called.append)
    await service.start()
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:00:10"), "920.00", 10))
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:00:40"), "921.00", 12))
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:01:05"), "921.00", 15))
    assert len(on_bus) == len(called) == 1 and on_bus[0] is called[0]
    await service.stop()
    assert service.saved == 1
    start, end = at("2026-11-20 09:00:00"), at("2026-11-20 10:00:00")
    stored = await repository.load(SYMBOL, start, end)
    assert stored == [called[0]]  # exact: prices, volume, trading day, exchange-time start
    assert await service.history(SYMBOL, start, end) == stored
    assert service.current(SYMBOL) is not None  # 09:01 in progress, not saved


async def test_the_timer_closes_a_bar_by_the_exchange_clock() -> None:
    bus = EventBus()
    # This machine's clock runs 5 s ahead of the exchange's stamps.
    ahead = timedelta(seconds=5)
    clock = Clock(at("2026-11-20 14:59:50").astimezone(UTC) + ahead)
    service = BarService(bus, None, clock=clock, timer_s=0.01)
    closed: list[Bar] = []
    service.subscribe(closed.append)
    await service.start()
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 14:59:50"), "920.00", 10))
    clock.now = at("2026-11-20 15:00:01").astimezone(UTC) + ahead
    await asyncio.sleep(0.05)
    assert closed == []  # the closing snapshot may still come (tolerance 3 s + grace 1 s)
    clock.now = at("2026-11-20 15:00:04").astimezone(UTC) + ahead
    await asyncio.sleep(0.05)
    assert [b.start for b in closed] == [at("2026-11-20 14:59:00")]
    await service.stop()


async def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    bus = EventBus()
    service = BarService(bus, None, timer_s=3600)

    def broken(bar: Bar) -> None:
        raise RuntimeError("strategy bug")

    got: list[Bar] = []
    service.subscribe(broken)
    stop = service.subscribe(got.append)
    await service.start()
    for second, volume in ((10, 1), (70, 2)):
        moment = at("2026-11-20 09:00:00") + timedelta(seconds=second)
        bus.publish(EventType.TICK, make_tick(moment, volume=volume))
    assert len(got) == 1
    stop()
    assert got[0].trading_day == date(2026, 11, 20)
    await service.stop()
