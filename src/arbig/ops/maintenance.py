"""Scheduled maintenance: a daily backup after the close, and log files with rotation.

The backup is ``arbig db backup``'s portable file (``arbig.storage.backup``), written
to ``maintenance.backup_dir`` (default ``<data_dir>/backups``) at ``backup_at``
(exchange time) on each business day; only the newest ``backup_keep`` files are kept.
The log file, when set, receives every record the console prints, as JSON lines,
rotated past ``log_max_bytes`` with ``log_backups`` old files kept.
"""

import asyncio
import logging
from datetime import date
from logging.handlers import RotatingFileHandler
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.clock import Clock, Timer
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.logs import json_file_handler
from arbig.ops.metrics import Metrics
from arbig.opsconfig import MaintenanceSettings
from arbig.storage import backup as backups
from arbig.storage.migrations import current_revision

log = structlog.get_logger(__name__)

PREFIX = "arbig-"
SUFFIX = ".jsonl.gz"


class Maintenance:
    def __init__(
        self,
        settings: MaintenanceSettings,
        data_dir: Path,
        engine: AsyncEngine,
        metrics: Metrics,
        calendar: TradingCalendar,
        *,
        clock: Clock,
        interval_s: float = 20.0,
    ) -> None:
        self.settings = settings
        self.backup_dir = settings.backup_dir or data_dir / "backups"
        self._engine = engine
        self._metrics = metrics
        self._calendar = calendar
        self._clock = clock
        self._interval = interval_s
        self._timer: Timer | None = None
        self._task: asyncio.Task[Path | None] | None = None
        self._log_handler: RotatingFileHandler | None = None
        self._done_day: date | None = None

    # --- log files --------------------------------------------------------------------

    def start_logs(self) -> None:
        if self.settings.log_file is None or self._log_handler is not None:
            return
        self.settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log_handler = json_file_handler(
            self.settings.log_file, self.settings.log_max_bytes, self.settings.log_backups
        )
        logging.getLogger().addHandler(self._log_handler)

    def stop_logs(self) -> None:
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None

    # --- the daily backup -------------------------------------------------------------

    def start(self) -> None:
        if self.settings.backup_at is None:
            return
        local = to_exchange_time(self._clock.now())
        # Started after today's time: today's backup is not made up at once.
        if local.time() >= self.settings.backup_at:
            self._done_day = local.date()
        self._timer = self._clock.call_every(self._interval, self._on_timer)

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def _on_timer(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.tick())

    async def tick(self) -> Path | None:
        """Back up if today's time has come and it was not done yet; the file written."""
        at = self.settings.backup_at
        local = to_exchange_time(self._clock.now())
        if at is None or local.time() < at or self._done_day == local.date():
            return None
        self._done_day = local.date()
        if not self._calendar.is_business_day(local.date()):
            return None
        try:
            path = await self.backup_now()
        except Exception:
            self._metrics.backups.labels(outcome="failed").inc()
            log.exception("scheduled backup failed", folder=str(self.backup_dir))
            return None
        self._metrics.backups.labels(outcome="ok").inc()
        return path

    async def backup_now(self) -> Path:
        """Write a backup file now and delete the oldest past ``backup_keep``."""
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = to_exchange_time(self._clock.now()).strftime("%Y%m%d-%H%M%S")
        path = self.backup_dir / f"{PREFIX}{stamp}{SUFFIX}"
        partial = path.with_name(".partial-" + path.name)  # still .gz: dump compresses by name
        revision = await current_revision(self._engine)
        async with self._engine.connect() as connection:
            rows = await connection.run_sync(
                backups.dump, partial, revision, lambda _table, _count: None
            )
        partial.replace(path)  # a crash leaves a .partial, never a truncated backup
        removed = self.prune()
        log.info("scheduled backup written", file=str(path), rows=rows, removed=len(removed))
        return path

    def prune(self) -> list[Path]:
        """Delete all but the newest ``backup_keep`` scheduled backups; those deleted."""
        found = sorted(self.backup_dir.glob(f"{PREFIX}*{SUFFIX}"))
        old = found[: max(0, len(found) - self.settings.backup_keep)]
        for path in old:
            path.unlink(missing_ok=True)
        return old
