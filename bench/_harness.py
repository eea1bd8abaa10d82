"""What the benchmark harnesses share (the leading underscore keeps `make bench` from
running it)."""

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def harness_without_gc() -> Iterator[None]:
    """The load generator's own garbage collections (22 to 140 ms measured in this
    process) would count as the servers' latency; the servers keep theirs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
