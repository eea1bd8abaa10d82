"""A periodic timer told when it has work (``idle_until``): a driven clock runs it only
then, and what it does, when, and in which order among the other timers, is what
running it on every beat gives."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.clock import DrivenClock, Timer
from arbig.testkit import MONDAY_10AM, monday_clock

IDLE_GAP = timedelta(seconds=5)


def seconds(clock: DrivenClock) -> float:
    return (clock.now() - MONDAY_10AM).total_seconds()


def test_an_idle_periodic_timer_runs_from_its_hint_on_its_own_beat() -> None:
    clock = monday_clock()
    runs: list[float] = []
    timer = clock.call_every(0.25, lambda: runs.append(seconds(clock)))
    timer.idle_until(MONDAY_10AM + timedelta(seconds=1.1))
    clock.advance(1.6)
    assert runs == [1.25, 1.5]
    timer.idle_until(None)
    clock.advance(10)
    assert runs == [1.25, 1.5]
    assert clock.next_due is None
    timer.idle_until(MONDAY_10AM + timedelta(seconds=12))
    clock.advance(0.7)
    assert runs == [1.25, 1.5, 12.0, 12.25]


def test_the_live_clock_and_a_tick_chain_take_the_hint_and_run_anyway() -> None:
    from arbig.gateways.ticksource import TimerChain

    chain = TimerChain()
    chain.idle_until(None)  # a chain's timers run once each, when due
    assert not chain.cancelled


class Replay:
    """A replay in small: ticks at given gaps on a driven clock, moved as the backtest
    kernel moves it (over a gap longer than IDLE_GAP, periodic timers run once), a bar
    opened by some ticks and closed by a 250 ms periodic timer once due, and a 5 s
    snapshot timer. ``log`` holds what every run that does something did, in order."""

    def __init__(self, hinted: bool, gaps: list[float], opens: list[float | None]) -> None:
        self.clock = DrivenClock(MONDAY_10AM)
        self.hinted = hinted
        self.log: list[tuple[str, float]] = []
        self.due: datetime | None = None
        self.times = [MONDAY_10AM + timedelta(seconds=1)]
        for gap in gaps:
            self.times.append(self.times[-1] + timedelta(seconds=gap))
        self.opens = opens
        self.next = 0
        self.bars: Timer = self.clock.call_every(0.25, self.close)
        self.clock.call_every(5, lambda: self.log.append(("snapshot", self.at())))
        self.tell()
        self.schedule()

    def at(self) -> float:
        return seconds(self.clock)

    def tell(self) -> None:
        if self.hinted:
            self.bars.idle_until(self.due)

    def close(self) -> None:
        if self.due is not None and self.clock.now() >= self.due:
            self.log.append(("close", self.at()))
            self.due = None
            self.tell()

    def tick(self) -> None:
        opens = self.opens[self.next % len(self.opens)]
        self.log.append(("tick", self.at()))
        if opens is not None:  # the tick rolls the bar: the old one closes, one opens
            if self.due is not None:
                self.log.append(("roll", self.at()))
            self.due = self.clock.now() + timedelta(seconds=opens)
            self.tell()
        self.next += 1
        self.schedule()

    def schedule(self) -> None:
        if self.next < len(self.times):
            self.clock.call_at(self.times[self.next], self.tick)

    def run(self) -> list[tuple[str, float]]:
        clock = self.clock
        while self.next < len(self.times):
            upcoming = self.times[self.next]
            if upcoming - clock.now() > IDLE_GAP:
                clock.advance_to(upcoming - timedelta(seconds=1), skip_missed=True)
            due = clock.next_due
            assert due is not None
            clock.advance_to(due)
        clock.advance_to(clock.now() + timedelta(seconds=3))
        return self.log


@settings(max_examples=150, deadline=None)
@given(
    gaps=st.lists(
        st.sampled_from([0.2, 0.5, 0.5, 0.5, 0.75, 1.0, 1.3, 2.5, 5.0, 6.0, 40.0]),
        min_size=1,
        max_size=60,
    ),
    opens=st.lists(
        st.one_of(st.none(), st.sampled_from([0.4, 1.0, 1.25, 2.0, 4.0, 9.0])),
        min_size=1,
        max_size=7,
    ),
)
def test_a_hinted_timer_does_what_running_on_every_beat_does(
    gaps: list[float], opens: list[float | None]
) -> None:
    assert Replay(True, gaps, opens).run() == Replay(False, gaps, opens).run()
