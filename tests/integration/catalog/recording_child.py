"""The child of the crash-safety test: the catalog recorder on a real event bus,
fed simulated ticks at a steady pace until it is killed.

Prints ``<index> <epoch seconds>`` after publishing each tick (flushed), so the
parent knows when each tick reached the recorder. Usage: recording_child.py ROOT
"""

import asyncio
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from arbig.catalog import Catalog
from arbig.catalog.recorder import CatalogRecorder
from arbig.catalog.synth import Synthesizer
from arbig.config import ProductSettings
from arbig.domain.calendar import TradingCalendar
from arbig.engine.bus import EventBus, EventType

PACE_S = 0.01  # 100 ticks a second


async def main(root: Path) -> None:
    bus = EventBus()
    recorder = CatalogRecorder(Catalog(root), flush_interval_s=1.0)
    recorder.attach(bus)
    await recorder.start()
    spec = ProductSettings().spec("au2702")
    maker = Synthesizer(
        spec, TradingCalendar.gold(), start_price=Decimal(920), volatility=1e-4, seed=11
    )
    for index, tick in enumerate(maker.stream(date(2026, 11, 30))):
        bus.publish(EventType.TICK, tick)
        print(index, time.time(), flush=True)
        await asyncio.sleep(PACE_S)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
