"""`arbig run` freezes its start-up heap; apps built by tests do not."""

import gc
from collections.abc import Iterator

import pytest

from arbig.web.app import settle_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_settle_heap_takes_what_exists_out_of_the_collectors_passes() -> None:
    alive = [[i] for i in range(1000)]
    settle_heap()
    assert gc.get_freeze_count() >= len(alive)
    assert not any(x is alive for x in gc.get_objects(generation=2))
