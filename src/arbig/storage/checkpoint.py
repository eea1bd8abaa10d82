"""SQLite WAL checkpoints on a timer, so that no commit of the book writer pays for one.

A PASSIVE checkpoint copies what it can from the WAL into the database without
waiting for, or blocking, the writer; run every few seconds it keeps the WAL
small, and the connection's own auto-checkpoint (see database.py) never fires.
"""

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)


class WalCheckpointer:
    def __init__(self, engine: AsyncEngine, interval_s: float = 5.0) -> None:
        self._engine = engine
        self._interval = interval_s
        self._task: asyncio.Task[None] | None = None
        self.checkpoints = 0

    @property
    def applies(self) -> bool:
        return self._engine.url.get_backend_name() == "sqlite"

    async def start(self) -> None:
        if self.applies and self._task is None:
            self._task = asyncio.create_task(self._run(), name="sqlite-checkpoint")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def checkpoint(self) -> tuple[int, int]:
        """One PASSIVE checkpoint: (frames in the WAL, frames copied to the database)."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))).one()
        self.checkpoints += 1
        return int(row[1]), int(row[2])

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.checkpoint()
            except Exception as exc:  # the next round tries again; the backstop remains
                log.warning("WAL checkpoint failed: %s", exc)
