"""The clock port: a driven clock fires its timers in time order as it is moved; the
live clock runs the same timers on the event loop."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from arbig.clock import Clock, DrivenClock, LiveClock, sleep
from arbig.testkit import MONDAY_10AM, monday_clock


def seconds(clock: DrivenClock) -> float:
    return (clock.now() - MONDAY_10AM).total_seconds()


def test_a_driven_clock_stands_still_until_it_is_moved() -> None:
    clock = monday_clock()
    assert clock.now() == MONDAY_10AM
    assert clock.advance(1.5) == MONDAY_10AM + timedelta(seconds=1.5)
    assert clock.now() == MONDAY_10AM + timedelta(seconds=1.5)


def test_timers_fire_in_time_order_each_seeing_its_own_due_time() -> None:
    clock = monday_clock()
    fired: list[tuple[str, float]] = []
    clock.call_later(3, lambda: fired.append(("later 3", seconds(clock))))
    clock.call_at(
        MONDAY_10AM + timedelta(seconds=1), lambda: fired.append(("at 1", seconds(clock)))
    )
    clock.call_later(2, lambda: fired.append(("later 2", seconds(clock))))
    clock.advance(2.5)
    assert fired == [("at 1", 1.0), ("later 2", 2.0)]
    assert seconds(clock) == 2.5
    clock.advance(10)
    assert fired[-1] == ("later 3", 3.0)
    assert clock.next_due is None


def test_timers_due_at_the_same_time_fire_in_the_order_they_were_set() -> None:
    clock = monday_clock()
    fired: list[int] = []
    for n in range(5):
        clock.call_later(1, lambda n=n: fired.append(n))  # type: ignore[misc]
    clock.advance(1)
    assert fired == [0, 1, 2, 3, 4]


def test_a_cancelled_timer_never_fires() -> None:
    clock = monday_clock()
    fired: list[str] = []
    timer = clock.call_later(1, lambda: fired.append("cancelled"))
    clock.call_later(2, lambda: fired.append("kept"))
    timer.cancel()
    assert timer.cancelled
    assert clock.next_due == MONDAY_10AM + timedelta(seconds=2)
    clock.advance(5)
    assert fired == ["kept"]


def test_a_periodic_timer_fires_every_interval_until_cancelled() -> None:
    clock = monday_clock()
    fired: list[float] = []
    timer = clock.call_every(0.5, lambda: fired.append(seconds(clock)))
    clock.advance(2.2)
    assert fired == [0.5, 1.0, 1.5, 2.0]
    timer.cancel()
    clock.advance(2)
    assert len(fired) == 4


def test_a_periodic_timer_may_cancel_itself() -> None:
    clock = monday_clock()
    fired: list[float] = []

    def twice() -> None:
        fired.append(seconds(clock))
        if len(fired) == 2:
            timer.cancel()

    timer = clock.call_every(1, twice)
    clock.advance(10)
    assert fired == [1.0, 2.0]


def test_a_timer_set_by_a_timer_fires_in_the_same_advance_when_due() -> None:
    clock = monday_clock()
    fired: list[float] = []
    clock.call_later(1, lambda: clock.call_later(1, lambda: fired.append(seconds(clock))))
    clock.advance(3)
    assert fired == [2.0]


def test_a_failing_callback_is_logged_and_the_periodic_timer_keeps_going() -> None:
    clock = monday_clock()
    calls: list[float] = []

    def flaky() -> None:
        calls.append(seconds(clock))
        if len(calls) == 1:
            raise RuntimeError("one bad snapshot")

    clock.call_every(1, flaky)
    clock.advance(3)
    assert calls == [1.0, 2.0, 3.0]


def test_a_driven_clock_does_not_go_back_and_needs_an_aware_time() -> None:
    clock = monday_clock()
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance_to(MONDAY_10AM - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        DrivenClock(datetime(2026, 6, 1, 10, 0))
    with pytest.raises(ValueError, match="positive interval"):
        clock.call_every(0, lambda: None)


def test_a_timer_set_in_the_past_fires_at_the_next_move() -> None:
    clock = monday_clock()
    fired: list[float] = []
    clock.call_at(MONDAY_10AM - timedelta(hours=1), lambda: fired.append(seconds(clock)))
    clock.advance(0)
    assert fired == [0.0]


async def test_the_live_clock_reads_the_wall_clock_and_runs_timers_on_the_loop() -> None:
    clock: Clock = LiveClock()
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)
    fired: list[str] = []
    clock.call_later(0.02, lambda: fired.append("later"))
    clock.call_at(clock.now() + timedelta(seconds=0.01), lambda: fired.append("at"))
    cancelled = clock.call_later(0.01, lambda: fired.append("cancelled"))
    cancelled.cancel()
    ticks = clock.call_every(0.01, lambda: fired.append("every"))
    await asyncio.sleep(0.1)
    ticks.cancel()
    count = fired.count("every")
    await asyncio.sleep(0.03)
    assert fired.index("at") < fired.index("later")
    assert "cancelled" not in fired
    assert 2 <= count == fired.count("every")  # about 10; slack for a busy machine


async def test_a_live_periodic_timer_far_behind_skips_the_missed_runs_instead_of_bursting() -> None:
    clock = LiveClock()
    fired: list[int] = []

    def stalls_once() -> None:
        fired.append(len(fired))
        if len(fired) == 1:
            time.sleep(0.2)  # twenty intervals without the loop

    timer = clock.call_every(0.01, stalls_once)
    await asyncio.sleep(0.25)
    timer.cancel()
    # Caught up in a burst it would have run about 1 + 20 + 4 times; skipping, about 1 + 4.
    assert 2 <= len(fired) <= 10


async def test_sleep_on_a_driven_clock_ends_when_the_clock_is_moved_past_it() -> None:
    clock = monday_clock()
    sleeper = asyncio.ensure_future(sleep(clock, 2))
    await asyncio.sleep(0.05)  # wall time passes; the driven clock does not
    clock.advance(1.5)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(0.5)
    await asyncio.wait_for(sleeper, 5)

    cancelled = asyncio.ensure_future(sleep(clock, 1))
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert clock.next_due is None  # a cancelled sleep leaves no timer set
