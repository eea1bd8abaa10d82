"""Where a backtest's ticks come from: the market-data catalog, or the simulator's
price path (``synth``) when there is no recorded data yet.

A ``DataSource`` is a small picklable value: a sweep's workers (local processes or
Dask workers) each open it themselves, reading the catalog from its path or
generating the same simulated ticks from the same seed, so no tick is shipped.

``--bars`` replays 1-minute bars: each bar becomes four ticks (open, the nearer of
high and low, the other, close) inside its minute, so the kernel, its bar service and
its matching engine run as they do on ticks (docs/backtesting.md).
"""

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from arbig.catalog.synth import Synthesizer
from arbig.config import SimSettings
from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.tick import Tick

# Where in its minute each of a bar's four ticks is stamped.
BAR_TICK_OFFSETS = (
    timedelta(seconds=0.5),
    timedelta(seconds=20),
    timedelta(seconds=40),
    timedelta(seconds=59.5),
)
DEPTH = 10  # lots shown on each side of a tick made from a bar


class TickReader(Protocol):
    """What the backtester reads from the catalog (``arbig.catalog.Catalog``)."""

    def days(self, symbol: str) -> list[date]: ...

    def ticks(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> Iterator[Tick]: ...

    def bars(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> Iterator[Bar]: ...


@dataclass(frozen=True, slots=True)
class DataSource:
    """``catalog``: recorded ticks under ``root``; ``synth``: ``days`` trading days of the
    simulator's price path from ``first`` (or the backtest's --from), one tick every
    ``interval_ms``, from ``seed``."""

    kind: Literal["catalog", "synth"]
    root: Path | None = None
    days: int = 5
    seed: int = 1
    interval_ms: int = 500
    start: date = date(2026, 6, 1)
    start_price: Decimal = SimSettings().start_price
    volatility: float = SimSettings().volatility


class DataError(ValueError):
    """The data asked for is not there (an empty catalog, a range without ticks)."""


def open_reader(source: DataSource) -> TickReader:
    if source.kind != "catalog" or source.root is None:
        raise DataError("not a catalog source")
    # Imported by name: only a catalog run needs it (and pyarrow).
    catalog: Any = importlib.import_module("arbig.catalog")
    reader: TickReader = catalog.Catalog(source.root)
    return reader


def load_ticks(
    source: DataSource,
    symbol: str,
    spec: ContractSpec,
    calendar: TradingCalendar,
    first: date | None,
    last: date | None,
) -> Iterator[Tick]:
    """The ticks of ``symbol`` in [first, last] (trading days), in time order."""
    if source.kind == "synth":
        days = days_from(calendar, first or source.start, source.days)
        if last is not None:
            days = [d for d in days if d <= last]
        return simulated(spec, calendar, days, source)
    reader = open_reader(source)
    if not reader.days(symbol):
        raise DataError(
            f"the catalog at {source.root} holds no ticks of {symbol}: "
            "record some with `arbig run`, import a file (`arbig data import`) "
            "or write simulated days (`arbig data synth`)"
        )
    return reader.ticks(symbol, first, last)


def bars_before(source: DataSource, symbol: str, first: date | None, count: int) -> list[Bar]:
    """The last ``count`` bars the catalog holds of ``symbol`` before trading day
    ``first`` (a strategy's ``load_bars`` in a backtest); none for simulated days or when
    the replay starts with the first day held."""
    if source.kind != "catalog" or first is None:
        return []
    reader = open_reader(source)
    found: list[Bar] = []
    for day in reversed([d for d in reader.days(symbol) if d < first]):
        found = list(reader.bars(symbol, day, day)) + found
        if len(found) >= count:
            break
    return found[-count:]


def days_from(calendar: TradingCalendar, first: date, count: int) -> list[date]:
    """``count`` trading days from ``first`` on (``first`` itself if it is one)."""
    day = first if calendar.is_business_day(first) else calendar.next_business_day(first)
    days = [day]
    while len(days) < count:
        days.append(calendar.next_business_day(days[-1]))
    return days


def simulated(
    spec: ContractSpec, calendar: TradingCalendar, days: list[date], source: DataSource
) -> Iterator[Tick]:
    """The simulator's price path through ``days`` (the catalog's ``data synth``)."""
    maker = Synthesizer(
        spec,
        calendar,
        start_price=source.start_price,
        volatility=source.volatility,
        seed=source.seed,
        interval=timedelta(milliseconds=source.interval_ms),
    )
    for day in days:
        yield from maker.stream(day)


def bars_of(ticks: Iterable[Tick], calendar: TradingCalendar) -> Iterator[Bar]:
    """The 1-minute bars of ``ticks`` (the bar service's builder)."""
    builders: dict[str, BarBuilder] = {}
    for tick in ticks:
        builder = builders.get(tick.symbol)
        if builder is None:
            builder = builders[tick.symbol] = BarBuilder(tick.symbol, calendar.sessions)
        bar = builder.update(tick)
        if bar is not None:
            yield bar
    for builder in builders.values():
        bar = builder.flush()
        if bar is not None:
            yield bar


def bar_ticks(bars: Iterable[Bar], spec: ContractSpec) -> Iterator[Tick]:
    """Four ticks per bar (see the module docstring); the quote is one tick either side
    of the price, and the day's figures run on from bar to bar."""
    volume, turnover = 0, Decimal(0)
    day: date | None = None
    previous: Decimal | None = None
    high = low = opening = pre = Decimal(0)
    step = spec.price_tick
    for bar in bars:
        if bar.trading_day != day:
            pre = previous if previous is not None else bar.open
            day, volume, turnover = bar.trading_day, 0, Decimal(0)
            opening, high, low = bar.open, bar.high, bar.low
        previous = bar.close
        high, low = max(high, bar.high), min(low, bar.low)
        down_first = bar.close >= bar.open  # the low came first on a rising bar
        middle = (bar.low, bar.high) if down_first else (bar.high, bar.low)
        prices = (bar.open, *middle, bar.close)
        limit_down, limit_up = spec.limit_band(pre)
        for i, (offset, price) in enumerate(zip(BAR_TICK_OFFSETS, prices, strict=True)):
            share = bar.volume // 4 + (1 if i < bar.volume % 4 else 0)
            volume += share
            turnover += price * share * spec.multiplier
            yield Tick(
                symbol=bar.symbol,
                exchange=spec.exchange,
                datetime=bar.start + offset,
                trading_day=bar.trading_day,
                last_price=price,
                volume=volume,
                turnover=turnover,
                open_interest=bar.open_interest,
                bid_price=price - step,
                bid_volume=DEPTH,
                ask_price=price + step,
                ask_volume=DEPTH,
                open_price=opening,
                high_price=high,
                low_price=low,
                pre_settlement=pre,
                pre_close=pre,
                limit_up=limit_up,
                limit_down=limit_down,
            )
