"""``system_logs``: the application's log records, written in batches off the hot path.

A logging handler only appends to a bounded deque (dropping, and counting, the
oldest when the database cannot keep up: logs must never stall trading); one
task commits them in batches and deletes records past their retention age.
"""

import asyncio
import contextlib
import logging
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.storage.models import SystemLogRow

_SKIP_KEYS = frozenset({"event", "level", "logger", "timestamp", "_record", "_from_structlog"})


def _context_value(value: Any) -> Any:
    """A number, a boolean or None as it is; anything else as text, written as the API
    writes values (Decimals as their text, ISO times, enums by value)."""
    if isinstance(value, int | float | bool | None | str):
        return value
    plain = orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
    return plain if isinstance(plain, str) else str(plain)


def _row(record: logging.LogRecord) -> dict[str, Any]:
    if isinstance(record.msg, dict):  # a structlog event dict
        event = dict(record.msg)
        message = str(event.get("event", ""))
        context = {k: _context_value(v) for k, v in event.items() if k not in _SKIP_KEYS}
    else:
        message = record.getMessage()
        context = {}
    if record.exc_info and record.exc_info[1] is not None:
        context["exception"] = repr(record.exc_info[1])
    return {
        "time": datetime.fromtimestamp(record.created, UTC),
        "level": record.levelname.lower(),
        "source": record.name[:128],
        "message": " ".join(message.split())[:4000],
        "context": context or None,
    }


class LogSink(logging.Handler):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        level: int = logging.INFO,
        capacity: int = 10_000,
        retention_days: float = 30.0,
        flush_interval_s: float = 1.0,
    ) -> None:
        super().__init__(level)
        self._sessions = sessions
        self._records: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._retention = timedelta(days=retention_days)
        self._interval = flush_interval_s
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0
        self.written = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("sqlalchemy", "aiosqlite", "alembic")):
            return  # our own writes would log about themselves
        if len(self._records) == self._records.maxlen:
            self.dropped += 1
        try:
            self._records.append(_row(record))
        except Exception:
            self.handleError(record)

    async def start(self) -> None:
        logging.getLogger().addHandler(self)
        self._task = asyncio.create_task(self._run(), name="log-sink")

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush_now()

    async def flush_now(self) -> None:
        # Copy first, remove only after the commit: a failed write loses nothing.
        batch = list(self._records)
        if not batch:
            return
        async with self._sessions() as session, session.begin():
            session.add_all(SystemLogRow(**row) for row in batch)
        for _ in range(min(len(batch), len(self._records))):
            self._records.popleft()
        self.written += len(batch)

    async def cleanup(self, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(UTC)) - self._retention
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(SystemLogRow).where(SystemLogRow.time < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    async def _run(self) -> None:
        last_cleanup = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush_now()
                if loop.time() - last_cleanup > 3600:
                    await self.cleanup()
                    last_cleanup = loop.time()
            except Exception as exc:  # the database is away: keep the records, try later
                logging.getLogger(__name__).debug("log sink waiting: %s", exc)
