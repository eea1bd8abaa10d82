"""Tools for tests of code built on ARBIG (its own suite uses them too).

After NautilusTrader's test kit: engines take their clock through the
constructor, so a test passes a clock it moves by hand.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# Monday 1 June 2026, 10:00 in Shanghai: inside SHFE gold's morning session.
MONDAY_10AM = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    """A clock that stands still until the test moves it."""

    now: datetime = field(default=MONDAY_10AM)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0.5) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
