"""The bar service: bars pushed on the bus and to subscribers, closed by the timer,
saved to the bars table and served as history."""

import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.clock import DrivenClock
from arbig.domain.bar import Bar
from arbig.engine.bars import BarService
from arbig.engine.bus import EventBus, EventType
from arbig.storage.bars import BarRepository
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.writer import BookWriter

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from tickkit import SYMBOL, at, make_tick


def clock_at(moment: str, ahead: timedelta = timedelta(0)) -> DrivenClock:
    """A driven clock showing the exchange time ``moment``, ``ahead`` in advance."""
    return DrivenClock(at(moment).astimezone(UTC) + ahead)


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


async def test_a_finished_bar_is_published_kept_recorded_and_served(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    bus = EventBus()
    writer = BookWriter(sessions, "sim-001")
    await writer.start()
    repository = BarRepository(sessions)
    service = BarService(bus, clock_at("2026-11-20 09:00:10"), writer.bar, repository)
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
    await writer.stop()
    assert service.recorded == 1
    start, end = at("2026-11-20 09:00:00"), at("2026-11-20 10:00:00")
    stored = await repository.load(SYMBOL, start, end)
    assert stored == [called[0]]  # exact: prices, volume, trading day, exchange-time start
    assert await service.history(SYMBOL, start, end) == stored
    assert service.current(SYMBOL) is not None  # 09:01 in progress, not saved


async def test_the_timer_closes_a_bar_by_the_exchange_clock() -> None:
    bus = EventBus()
    # This machine's clock runs 5 s ahead of the exchange's stamps.
    ahead = timedelta(seconds=5)
    clock = clock_at("2026-11-20 14:59:50", ahead)
    service = BarService(bus, clock)
    closed: list[Bar] = []
    service.subscribe(closed.append)
    await service.start()
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 14:59:50"), "920.00", 10))
    clock.advance_to(at("2026-11-20 15:00:03.9").astimezone(UTC) + ahead)
    assert closed == []  # the closing snapshot may still come (tolerance 3 s + grace 1 s)
    clock.advance_to(at("2026-11-20 15:00:04.25").astimezone(UTC) + ahead)
    assert [b.start for b in closed] == [at("2026-11-20 14:59:00")]
    await service.stop()


async def test_the_clock_offset_is_taken_again_when_the_next_bar_opens() -> None:
    bus = EventBus()
    # The exchange's stamps run 30 s behind this machine's clock ...
    clock = clock_at("2026-11-20 09:00:10", timedelta(seconds=30))
    service = BarService(bus, clock)
    closed: list[Bar] = []
    service.subscribe(closed.append)
    await service.start()
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:00:10"), "920.00", 10))
    # ... until the exchange's clock is put right: the 09:01 bar's first tick gives the
    # new offset, or 09:01 would close 30 s late.
    clock.advance_to(at("2026-11-20 09:01:05").astimezone(UTC))
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:01:05"), "920.50", 12))
    clock.advance_to(at("2026-11-20 09:01:40").astimezone(UTC))
    assert [b.start for b in closed] == [at("2026-11-20 09:00:00")]  # by the tick, not late
    clock.advance_to(at("2026-11-20 09:02:00.5").astimezone(UTC))
    assert len(closed) == 1  # 09:02:00.5 on the exchange: within the 1 s grace
    clock.advance_to(at("2026-11-20 09:02:01.5").astimezone(UTC))
    assert [b.start for b in closed] == [at("2026-11-20 09:00:00"), at("2026-11-20 09:01:00")]
    await service.stop()


async def test_stop_cancels_the_timer() -> None:
    bus = EventBus()
    clock = clock_at("2026-11-20 09:00:10")
    service = BarService(bus, clock)
    closed: list[Bar] = []
    service.subscribe(closed.append)
    await service.start()
    bus.publish(EventType.TICK, make_tick(at("2026-11-20 09:00:10"), "920.00", 10))
    await service.stop()
    assert clock.next_due is None
    clock.advance(120)
    assert closed == []


async def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    bus = EventBus()
    service = BarService(bus, clock_at("2026-11-20 09:00:00"))

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


async def test_the_repository_saves_and_loads_a_range_in_exchange_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    repository = BarRepository(sessions)
    bus = EventBus()
    service = BarService(bus, clock_at("2026-11-20 09:00:00"))
    await service.start()
    for second, volume in ((10, 1), (70, 5), (130, 9)):
        moment = at("2026-11-20 21:00:00") + timedelta(seconds=second)
        bus.publish(EventType.TICK, make_tick(moment, volume=volume))
    await service.stop()
    bars = service.recent(SYMBOL)
    for bar in bars:
        await repository.save(bar)
    await repository.save(bars[0])  # the same minute again: replaced, not refused
    loaded = await repository.load(SYMBOL, at("2026-11-20 21:01:00"), at("2026-11-20 22:00"))
    assert loaded == bars[1:]
    assert loaded[0].start.utcoffset() == timedelta(hours=8)
