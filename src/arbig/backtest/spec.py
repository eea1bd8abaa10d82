"""What a backtest is asked to do, and what it gives back.

Plain values that cross process boundaries (a local process pool, Dask workers)
by pickling, and are stored in ``backtest_runs`` as JSON.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from arbig.backtest.notes import Note
from arbig.domain.performance import DayResult, EquityPoint, Fill, Metrics

Mode = Literal["ticks", "bars"]


@dataclass(frozen=True, slots=True)
class FillModel:
    """The fill assumptions (docs/backtesting.md, "Fill assumptions").

    ``latency_ms``: an order meets only the snapshots stamped at least this long after
    the exchange accepted it (0: the next snapshot). ``slippage_ticks``: how far through
    the quote a strategy's marketable limit order is priced. ``depth``: whether a fill
    is capped by the volume shown at the best price (True, the simulator's rule) or
    takes any volume."""

    latency_ms: int = 0
    slippage_ticks: int = 3
    depth: bool = True


@dataclass(frozen=True, slots=True)
class BacktestSpec:
    """One run: a strategy with its parameters on ``symbol`` over [first, last]."""

    strategy: str
    symbol: str
    params: dict[str, Any] = field(default_factory=dict)
    first: date | None = None
    last: date | None = None
    mode: Mode = "ticks"
    capital: Decimal = Decimal("1000000.00")
    fill: FillModel = field(default_factory=FillModel)

    def with_params(self, extra: dict[str, Any]) -> "BacktestSpec":
        return BacktestSpec(
            self.strategy,
            self.symbol,
            {**self.params, **extra},
            self.first,
            self.last,
            self.mode,
            self.capital,
            self.fill,
        )


@dataclass(frozen=True, slots=True)
class TriggerLine:
    """A strategy decision as the run recorded it (the parity tests compare these)."""

    datetime: datetime
    action: str
    condition: str
    price: Decimal | None
    result: str
    error: str | None


@dataclass(frozen=True, slots=True, repr=False)
class BacktestResult:
    spec: BacktestSpec
    metrics: Metrics
    fills: list[Fill]
    curve: list[EquityPoint]
    prices: list[tuple[datetime, Decimal]]  # each 1-minute bar's close
    days: list[DayResult]
    triggers: list[TriggerLine]
    ticks: int  # ticks the exchange took
    skipped: int  # ticks stamped outside the sessions
    data_first: datetime | None
    data_last: datetime | None
    elapsed_s: float
    notes: list[Note] = field(default_factory=list)

    def __repr__(self) -> str:
        # A summary: every fill, trigger and curve point would make it as long as the run
        # (and asyncio.run formats the result of its task on the way out).
        return (
            f"BacktestResult(spec={self.spec!r}, ticks={self.ticks}, fills={len(self.fills)}, "
            f"triggers={len(self.triggers)}, curve={len(self.curve)} points)"
        )

    @property
    def ticks_per_s(self) -> float:
        return self.ticks / self.elapsed_s if self.elapsed_s > 0 else 0.0
