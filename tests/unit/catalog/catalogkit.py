"""Small synthetic days for the catalog's tests."""

from datetime import date
from decimal import Decimal
from itertools import islice

from arbig.catalog.synth import Synthesizer
from arbig.config import ProductSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick

SYMBOL = "au2702"
CALENDAR = TradingCalendar.gold()


def synth(seed: int = 3) -> Synthesizer:
    return Synthesizer(
        ProductSettings().spec(SYMBOL),
        CALENDAR,
        start_price=Decimal("920.00"),
        volatility=0.0001,
        seed=seed,
    )


def some_ticks(day: date, count: int = 300, seed: int = 3) -> list[Tick]:
    """The first ``count`` ticks of ``day``'s synthetic sessions."""
    return list(islice(synth(seed).stream(day), count))
