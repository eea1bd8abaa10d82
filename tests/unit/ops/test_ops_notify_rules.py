"""The notifier's small rules: the circuit breaker and the quiet-hours window."""

from datetime import time

from arbig.ops.notify import Breaker, in_window


class Seconds:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_the_threshold_and_tries_again_after_the_reset() -> None:
    clock = Seconds()
    breaker = Breaker(threshold=3, reset_s=30, clock=clock)
    breaker.failed()
    breaker.failed()
    assert not breaker.is_open and breaker.allows()
    breaker.failed()
    assert breaker.is_open and not breaker.allows()
    clock.now = 29.9
    assert not breaker.allows()
    clock.now = 30
    assert breaker.allows()  # one trial
    breaker.failed()  # the trial failed: open for another period
    assert not breaker.allows()
    clock.now = 60
    breaker.succeeded()
    assert not breaker.is_open and breaker.failures == 0


def test_a_success_resets_the_count_of_failures() -> None:
    breaker = Breaker(threshold=2, reset_s=30, clock=Seconds())
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert not breaker.is_open


def test_quiet_hours_across_midnight_wrap() -> None:
    night = (time(22, 0), time(7, 0))
    assert in_window(time(23, 30), *night)
    assert in_window(time(3, 0), *night)
    assert not in_window(time(7, 0), *night)
    assert not in_window(time(14, 0), *night)
    lunch = (time(11, 30), time(13, 30))
    assert in_window(time(12, 0), *lunch)
    assert not in_window(time(13, 30), *lunch)
