"""The console's shutdown ends, in bounded time, even when one of its tasks does not end
on the first cancel; and it reaches the core's stop, which closes the recorder's
journal segments."""

import asyncio
import contextlib
import threading

from fastapi.testclient import TestClient
from webkit import wait_for

from arbig.catalog.layout import OPEN_SEGMENT
from arbig.config import Settings
from arbig.embedded import embedded_app


def test_a_task_that_loses_a_cancel_does_not_hold_up_the_shutdown(settings: Settings) -> None:
    app = embedded_app(settings)

    async def watch_losing_a_cancel() -> None:
        # As a watch whose cancel Python 3.11's wait_for dropped: it goes on polling.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        await asyncio.sleep(3600)

    app.state.guard.watch = watch_losing_a_cancel
    client = TestClient(app)
    client.__enter__()
    journal = settings.catalog_root / "journal"
    wait_for(lambda: list(journal.rglob(f"*{OPEN_SEGMENT}")), 30)  # ticks are being recorded

    stopped = threading.Event()

    def stop() -> None:
        client.__exit__(None, None, None)
        stopped.set()

    # In a thread of its own: a shutdown that hangs fails the test instead of hanging it.
    threading.Thread(target=stop, name="shutdown", daemon=True).start()
    assert stopped.wait(settings.shutdown_timeout_s + 20), "the shutdown did not end"
    assert not list(journal.rglob(f"*{OPEN_SEGMENT}")), "a journal segment was left open"
    assert list((settings.catalog_root / "ticks").rglob("*.parquet"))  # closed and compacted
