"""The operations side of one running system, built around its kernel by the runtime.

Metrics (the observer of the bus and the kernel's parts), notifications, the watch
with its protections, and the scheduled maintenance. ``start`` before the kernel
starts (so the first tick is seen), ``open`` once it trades, ``stop`` after it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.clock import Clock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.engine.controls import TradingControls
from arbig.engine.core import TradingCore
from arbig.ops.equity import EquityWatch
from arbig.ops.maintenance import Maintenance
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.ops.observe import DropCounts, KernelObserver, Sources, TickStoreState, Writer
from arbig.ops.protections import Protections
from arbig.ops.watch import Auditor, Watch


@dataclass(frozen=True, slots=True)
class Kernel:
    """The parts of the kernel the operations side watches."""

    core: TradingCore
    writer: Writer
    controls: TradingControls
    calendar: TradingCalendar
    auditor: Auditor
    gateway_name: str
    tick_store: TickStoreState
    tick_filter: DropCounts


class Operations:
    def __init__(
        self,
        settings: Settings,
        kernel: Kernel,
        engine: AsyncEngine,
        clock: Clock,
    ) -> None:
        core = kernel.core
        self.metrics = Metrics()
        self.equity = EquityWatch()
        sources = Sources(
            gateway_name=kernel.gateway_name,
            writer=kernel.writer,
            tick_store=kernel.tick_store,
            tick_filter=kernel.tick_filter,
            controls=kernel.controls,
            calendar=kernel.calendar,
            redis=settings.redis_url is not None,
            money=lambda: core.money,
        )
        self.observer = KernelObserver(core.events, sources, self.equity)
        self.notifier = Notifier(settings.notify, self.metrics, clock=clock.now)
        self.watch = Watch(
            core.events,
            kernel.controls,
            self.notifier,
            self.observer,
            self.equity,
            Protections(settings.protections),
            kernel.auditor,
            self.metrics,
            kernel.calendar,
            clock=clock,
        )
        self.maintenance = Maintenance(
            settings.maintenance,
            settings.data_dir,
            engine,
            self.metrics,
            kernel.calendar,
            clock=clock,
        )
        self._core = core
        self._log_counter = self.metrics.log_handler()
        self._unregister: list[Callable[[], None]] = []

    async def start(self) -> None:
        """Before the kernel starts: counting from the first tick and log line."""
        logging.getLogger().addHandler(self._log_counter)
        self.maintenance.start_logs()
        self.observer.attach()
        self.watch.attach()
        self._unregister.append(self.metrics.register(self.observer))
        self.notifier.start()

    async def open(self) -> None:
        """Once the kernel trades: the watch's rounds and the schedule."""
        self.watch.start()
        if self._core.halt_reason is not None:
            self.watch.reconciliation(self._core.halt_reason)
        self.maintenance.start()

    async def stop(self) -> None:
        await self.watch.stop()
        await self.maintenance.stop()
        await self.notifier.stop()
        self.observer.detach()
        for unregister in self._unregister:
            unregister()
        self._unregister.clear()
        logging.getLogger().removeHandler(self._log_counter)
        self.maintenance.stop_logs()
