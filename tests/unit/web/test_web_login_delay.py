"""The login delay: from the free_failures-th failure on, 1 s, 2 s, 4 s ... up to the cap,
per address."""

from arbig.auth.ratelimit import LoginLimiter


def test_the_delay_doubles_per_failure_up_to_its_cap_and_a_success_clears_it() -> None:
    limiter = LoginLimiter(free_failures=3, window_s=300, max_delay_s=8)
    waits = []
    for n in range(8):
        limiter.failed("10.0.0.1", now=float(n))
        waits.append(limiter.retry_after("10.0.0.1", now=float(n)))
    assert waits == [0, 0, 1, 2, 4, 8, 8, 8]
    assert limiter.retry_after("10.0.0.2", now=8.0) == 0  # another address is not touched
    assert limiter.retry_after("10.0.0.1", now=7.0 + 8) == 0  # the wait is over
    limiter.succeeded("10.0.0.1")
    limiter.failed("10.0.0.1", now=20.0)
    assert limiter.retry_after("10.0.0.1", now=20.0) == 0


def test_failures_older_than_the_window_are_forgotten() -> None:
    limiter = LoginLimiter(free_failures=1, window_s=10, max_delay_s=30)
    limiter.failed("a", now=0.0)
    limiter.failed("a", now=1.0)
    assert limiter.retry_after("a", now=1.0) == 2
    assert limiter.retry_after("a", now=12.0) == 0
    assert limiter._failures == {}
