"""Trading statistics: pure arithmetic over closing fills and the equity curve."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ClosedFill:
    """A closing fill and the P&L it realized (commission apart)."""

    trading_day: date
    realized_pnl: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class DayPnl:
    trading_day: date
    realized_pnl: Decimal
    commission: Decimal
    net_pnl: Decimal = field(init=False)

    def __post_init__(self) -> None:
        # A field, not a property, so that it travels with the rest in JSON.
        object.__setattr__(self, "net_pnl", self.realized_pnl - self.commission)


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest fall from a peak of the equity curve, in money and as a fraction."""

    amount: Decimal
    fraction: Decimal


@dataclass(frozen=True, slots=True)
class Statistics:
    realized_pnl: Decimal
    commission: Decimal
    net_pnl: Decimal
    closing_trades: int
    wins: int
    losses: int
    win_rate: Decimal | None
    profit_factor: Decimal | None
    max_drawdown: Drawdown
    per_day: list[DayPnl]


def max_drawdown(equity: Sequence[Decimal]) -> Drawdown:
    peak: Decimal | None = None
    worst = Drawdown(ZERO, ZERO)
    for value in equity:
        if peak is None or value > peak:
            peak = value
            continue
        fall = peak - value
        if fall > worst.amount:
            fraction = (fall / peak).quantize(Decimal("0.000001")) if peak > 0 else ZERO
            worst = Drawdown(fall, fraction)
    return worst


def per_day(fills: Iterable[ClosedFill], commissions: dict[date, Decimal]) -> list[DayPnl]:
    """P&L per trading day; ``commissions`` holds each day's commission on all fills."""
    realized: dict[date, Decimal] = {}
    for fill in fills:
        realized[fill.trading_day] = realized.get(fill.trading_day, ZERO) + fill.realized_pnl
    days = sorted(set(realized) | set(commissions))
    return [DayPnl(d, realized.get(d, ZERO), commissions.get(d, ZERO)) for d in days]


def statistics(
    closing: Sequence[ClosedFill], commissions: dict[date, Decimal], equity: Sequence[Decimal]
) -> Statistics:
    """Win rate and profit factor count closing fills; a fill at exactly zero is neither."""
    gains = [f.realized_pnl for f in closing if f.realized_pnl > 0]
    falls = [f.realized_pnl for f in closing if f.realized_pnl < 0]
    realized = sum((f.realized_pnl for f in closing), ZERO)
    commission = sum(commissions.values(), ZERO)
    decided = len(gains) + len(falls)
    gross_loss = -sum(falls, ZERO)
    return Statistics(
        realized_pnl=realized,
        commission=commission,
        net_pnl=realized - commission,
        closing_trades=len(closing),
        wins=len(gains),
        losses=len(falls),
        win_rate=(Decimal(len(gains)) / decided).quantize(Decimal("0.0001")) if decided else None,
        profit_factor=(sum(gains, ZERO) / gross_loss).quantize(Decimal("0.0001"))
        if gross_loss
        else None,
        max_drawdown=max_drawdown(equity),
        per_day=per_day(closing, commissions),
    )
