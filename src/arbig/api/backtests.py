"""The contract for backtests: what a front end (the console's Backtest page, a
script) may ask and gets back. The backtester behind it runs the live kernel on
recorded data (``arbig.backtest``); the web layer knows only these types.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

RunStatus = Literal["running", "done", "failed"]


class BacktestRefused(ValueError):
    """A request the backtester cannot run; the message names the field that is wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RunNotFound(LookupError):
    """No backtest run with that id."""


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """One run of ``strategy`` with ``params`` on ``symbol`` (the main contract when
    None) over the trading days [first, last] (all the data holds when None)."""

    strategy: str
    params: dict[str, Any] = field(default_factory=dict)
    symbol: str | None = None
    first: date | None = None
    last: date | None = None
    mode: Literal["ticks", "bars"] = "ticks"
    capital: Decimal | None = None
    latency_ms: int = 0
    slippage_ticks: int = 3


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A run as the list shows it; ``metrics`` once it is done (names as in
    docs/backtesting.md: total_return, annual_return, sharpe, sortino, max_drawdown,
    max_drawdown_pct, max_drawdown_duration_s, win_rate, profit_factor, trades_per_day,
    commission, ...)."""

    run_id: str
    sweep_id: str | None
    strategy: str
    symbol: str
    params: dict[str, Any]
    mode: str
    data_from: date | None
    data_to: date | None
    fill_model: dict[str, Any]
    capital: Decimal
    status: RunStatus
    progress: float
    error: str | None
    code_version: str
    ticks: int
    elapsed_s: float
    metrics: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with its series: ``fills`` (the trade list), ``days`` (daily P&L),
    ``curve`` (equity: time, trading day, balance), ``triggers`` (decisions),
    ``prices`` (the 1-minute closes the chart of entries and exits is drawn on) and
    ``notes`` (what to know when reading the figures: ``{"code", "params"}`` objects;
    ``open_at_end``, or ``text`` for the plain sentence of a run stored before notes
    had codes)."""

    summary: RunSummary
    series: dict[str, Any]


class BacktestService(Protocol):
    """What the console asks of the backtester. Every method is async."""

    async def start(self, request: BacktestRequest) -> RunSummary:
        """Check ``request`` (BacktestRefused naming the field) and start it in the
        background; the summary says ``running`` with its id."""
        ...

    async def runs(self, limit: int = 50, sweep_id: str | None = None) -> list[RunSummary]:
        """The latest runs, newest first (only the sweep's when ``sweep_id`` is given)."""
        ...

    async def run(self, run_id: str) -> RunDetail:
        """One run with its series (RunNotFound when there is none)."""
        ...

    async def strategies(self) -> list[str]:
        """The strategies a backtest may run."""
        ...

    async def close(self) -> None:
        """End the runs still going (recorded as failed): the host is stopping."""
        ...
