"""A backtest's figures from its own fills and equity curve: pure arithmetic.

Definitions (docs/backtesting.md gives them to the user):

- the equity curve is the account balance (cash, realized and floating P&L, less
  commission) sampled through the run; a trading day's closing equity is its last
  sample, and its return is against the previous day's close (the first day's against
  the starting capital);
- total return = end / capital - 1; annualised = (end / capital) ** (252 / days) - 1;
- Sharpe = mean / sample standard deviation of the daily returns * sqrt(252), Sortino =
  mean / downside deviation (root mean square of the returns below zero, over all
  days) * sqrt(252); no risk-free rate; undefined with fewer than two days or no spread;
- maximum drawdown: the largest fall of the curve from a running peak, in money and as
  a fraction of that peak; its duration the longest time the curve spent below a peak
  before regaining it (or until the end);
- win rate and profit factor count closing fills by their realized P&L (commission
  apart; a fill at exactly zero is neither a win nor a loss); trades per day counts
  every fill.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.enums import Offset, Side

DAYS_PER_YEAR = 252
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Fill:
    """One fill of a backtest, with the P&L it realized (0 for an open)."""

    trade_id: str
    datetime: datetime
    trading_day: date
    side: Side
    offset: Offset
    price: Decimal
    volume: int
    commission: Decimal
    realized_pnl: Decimal


@dataclass(frozen=True, slots=True)
class EquityPoint:
    datetime: datetime
    trading_day: date
    balance: Decimal


@dataclass(frozen=True, slots=True)
class DayResult:
    trading_day: date
    balance: Decimal  # the day's closing equity
    pnl: Decimal  # against the previous close (the capital for the first day)
    commission: Decimal
    fills: int


@dataclass(frozen=True, slots=True)
class Metrics:
    capital: Decimal
    end_balance: Decimal
    net_pnl: Decimal
    total_return: float
    annual_return: float
    sharpe: float | None
    sortino: float | None
    max_drawdown: Decimal
    max_drawdown_pct: float
    max_drawdown_duration_s: float
    win_rate: float | None
    profit_factor: float | None
    fills: int
    closing_fills: int
    trades_per_day: float
    commission: Decimal
    trading_days: int


METRIC_NAMES = (
    "total_return",
    "annual_return",
    "sharpe",
    "sortino",
    "max_drawdown_pct",
    "win_rate",
    "profit_factor",
    "trades_per_day",
    "net_pnl",
)
# Metrics where less is better when runs are ranked.
LOWER_IS_BETTER = frozenset({"max_drawdown_pct"})


def daily_results(
    capital: Decimal, curve: Sequence[EquityPoint], fills: Sequence[Fill]
) -> list[DayResult]:
    """Each trading day of the curve: its closing equity, P&L, commission and fills."""
    closes: dict[date, Decimal] = {}
    for point in curve:
        closes[point.trading_day] = point.balance
    commission: dict[date, Decimal] = {}
    count: dict[date, int] = {}
    for fill in fills:
        commission[fill.trading_day] = commission.get(fill.trading_day, ZERO) + fill.commission
        count[fill.trading_day] = count.get(fill.trading_day, 0) + 1
    days: list[DayResult] = []
    previous = capital
    for day in sorted(closes):
        balance = closes[day]
        days.append(
            DayResult(
                day, balance, balance - previous, commission.get(day, ZERO), count.get(day, 0)
            )
        )
        previous = balance
    return days


def daily_returns(capital: Decimal, days: Sequence[DayResult]) -> list[float]:
    returns: list[float] = []
    previous = capital
    for day in days:
        returns.append(float(day.balance / previous) - 1.0 if previous > 0 else 0.0)
        previous = day.balance
    return returns


def drawdown(curve: Sequence[EquityPoint]) -> tuple[Decimal, float, float]:
    """(largest fall from a peak, as a fraction of that peak, longest time under a peak
    in seconds)."""
    if not curve:
        return ZERO, 0.0, 0.0
    peak, peak_at = curve[0].balance, curve[0].datetime
    worst, worst_pct, longest = ZERO, 0.0, 0.0
    under = False  # the curve has been below the peak since it was set
    for point in curve[1:]:
        if point.balance >= peak:
            if under:
                longest = max(longest, (point.datetime - peak_at).total_seconds())
            peak, peak_at, under = point.balance, point.datetime, False
            continue
        under = True
        fall = peak - point.balance
        if fall > worst:
            worst = fall
            worst_pct = float(fall / peak) if peak > 0 else 0.0
    if under:
        longest = max(longest, (curve[-1].datetime - peak_at).total_seconds())
    return worst, worst_pct, longest


def metrics(capital: Decimal, fills: Sequence[Fill], curve: Sequence[EquityPoint]) -> Metrics:
    """The figures of a run that started with ``capital`` (see the module docstring)."""
    days = daily_results(capital, curve, fills)
    returns = daily_returns(capital, days)
    end = curve[-1].balance if curve else capital
    ratio = float(end / capital) if capital > 0 else 0.0
    annual = ratio ** (DAYS_PER_YEAR / len(days)) - 1.0 if days and ratio > 0 else ratio - 1.0
    sharpe = sortino = None
    if len(returns) >= 2:
        mean = math.fsum(returns) / len(returns)
        spread = math.sqrt(math.fsum((r - mean) ** 2 for r in returns) / (len(returns) - 1))
        if spread > 0:
            sharpe = mean / spread * math.sqrt(DAYS_PER_YEAR)
        downside = math.sqrt(math.fsum(min(r, 0.0) ** 2 for r in returns) / len(returns))
        if downside > 0:
            sortino = mean / downside * math.sqrt(DAYS_PER_YEAR)
    closing = [f.realized_pnl for f in fills if f.offset.is_close]
    gains = [pnl for pnl in closing if pnl > 0]
    losses = [pnl for pnl in closing if pnl < 0]
    decided = len(gains) + len(losses)
    gross_loss = -sum(losses, ZERO)
    fall, fall_pct, duration = drawdown(curve)
    commission = sum((f.commission for f in fills), ZERO)
    return Metrics(
        capital=capital,
        end_balance=end,
        net_pnl=end - capital,
        total_return=ratio - 1.0,
        annual_return=annual,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown=fall,
        max_drawdown_pct=fall_pct,
        max_drawdown_duration_s=duration,
        win_rate=len(gains) / decided if decided else None,
        profit_factor=float(sum(gains, ZERO) / gross_loss) if gross_loss else None,
        fills=len(fills),
        closing_fills=len(closing),
        trades_per_day=len(fills) / len(days) if days else 0.0,
        commission=commission,
        trading_days=len(days),
    )
