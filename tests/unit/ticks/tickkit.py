"""Ticks for the tick-store, bar and benchmark specifications."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick

SYMBOL = "au2612"


def at(text: str) -> datetime:
    """Exchange time from ``"2026-11-20 21:00:00.500"``."""
    return datetime.fromisoformat(text).replace(tzinfo=EXCHANGE_TZ)


def make_tick(
    moment: datetime,
    price: str | Decimal = "920.00",
    volume: int = 0,
    *,
    symbol: str = SYMBOL,
    trading_day: date | None = None,
    open_interest: int = 100_000,
    turnover: Decimal | None = None,
) -> Tick:
    """A plausible snapshot; ``volume`` is the day's cumulative volume."""
    last = Decimal(price)
    return Tick(
        symbol=symbol,
        exchange=Exchange.SHFE,
        datetime=moment,
        trading_day=trading_day or moment.date(),
        last_price=last,
        volume=volume,
        turnover=turnover if turnover is not None else last * volume * 1000,
        open_interest=open_interest,
        bid_price=last - Decimal("0.02"),
        bid_volume=3,
        ask_price=last + Decimal("0.02"),
        ask_volume=5,
        open_price=Decimal("918.00"),
        high_price=max(last, Decimal("921.00")),
        low_price=min(last, Decimal("917.00")),
        pre_settlement=Decimal("915.00"),
        pre_close=Decimal("916.00"),
        limit_up=Decimal("988.20"),
        limit_down=Decimal("841.80"),
    )


def tick_run(
    start: datetime, count: int, *, symbol: str = SYMBOL, step_ms: int = 500
) -> list[Tick]:
    """``count`` ticks every ``step_ms``, volume growing by one each."""
    return [
        make_tick(start + timedelta(milliseconds=i * step_ms), volume=i + 1, symbol=symbol)
        for i in range(count)
    ]
