"""A backtest's figures equal an independent recomputation from its own trade list and
equity curve: over random fills and curves (hypothesis), and for a real run's report."""

import json
import math
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.backtest.results import metrics_json, series_json
from arbig.domain.enums import Offset, Side
from arbig.domain.performance import EquityPoint, Fill, Metrics, metrics

START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
CAPITAL = Decimal("1000000.00")

money = st.decimals(min_value=-50000, max_value=50000, places=2, allow_nan=False)


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[Fill], list[EquityPoint]]:
    days = draw(st.integers(min_value=1, max_value=12))
    curve: list[EquityPoint] = []
    fills: list[Fill] = []
    balance = CAPITAL
    for d in range(days):
        day = date(2026, 6, 1) + timedelta(days=d)
        for i in range(draw(st.integers(min_value=1, max_value=6))):
            balance += draw(money)
            at = START + timedelta(days=d, minutes=i)
            curve.append(EquityPoint(at, day, balance))
        for i in range(draw(st.integers(min_value=0, max_value=5))):
            offset = draw(st.sampled_from([Offset.OPEN, Offset.CLOSE_TODAY, Offset.CLOSE]))
            fills.append(
                Fill(
                    trade_id=f"T{d}-{i}",
                    datetime=START + timedelta(days=d, seconds=i),
                    trading_day=day,
                    side=draw(st.sampled_from([Side.BUY, Side.SELL])),
                    offset=offset,
                    price=Decimal("920.00"),
                    volume=1,
                    commission=Decimal("10.00"),
                    realized_pnl=Decimal(0) if offset is Offset.OPEN else draw(money),
                )
            )
    return fills, curve


def recompute(capital: Decimal, fills: list[dict], curve: list[list[str]], days: list[str]) -> dict:
    """The figures from the report's own JSON, written apart from domain.performance."""
    balances = [Decimal(value) for _, value in curve]
    times = [datetime.fromisoformat(t) for t, _ in curve]
    closes: dict[str, Decimal] = {}
    for day, balance in zip(days, balances, strict=True):
        closes[day] = balance
    ordered = [closes[d] for d in sorted(closes)]
    returns = [float(b / a) - 1 for a, b in zip([capital, *ordered[:-1]], ordered, strict=True)]
    sharpe = sortino = None
    if len(returns) > 1 and statistics.stdev(returns) > 0:
        sharpe = statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(252)
    below = [min(r, 0.0) ** 2 for r in returns]
    if len(returns) > 1 and any(below):
        sortino = statistics.mean(returns) / math.sqrt(sum(below) / len(returns)) * math.sqrt(252)
    worst, worst_pct, longest = Decimal(0), 0.0, 0.0
    for i, value in enumerate(balances):
        peak_index = max(range(i + 1), key=lambda j: (balances[j], -j))
        peak = balances[peak_index]
        if peak - value > worst:
            worst, worst_pct = peak - value, float((peak - value) / peak)
    # Each point under water: from when its peak was (last) reached to when the curve
    # regains that peak (or the last point).
    for k, value in enumerate(balances):
        top = max(balances[: k + 1])
        if value >= top:
            continue
        set_at = max(j for j in range(k + 1) if balances[j] == top)
        regained = next((r for r in range(k + 1, len(balances)) if balances[r] >= top), None)
        back = regained if regained is not None else len(balances) - 1
        longest = max(longest, (times[back] - times[set_at]).total_seconds())
    closing = [Decimal(f["realized_pnl"]) for f in fills if f["offset"] != "open"]
    wins = [p for p in closing if p > 0]
    losses = [p for p in closing if p < 0]
    end = balances[-1]
    return {
        "total_return": float(end / capital) - 1,
        "annual_return": float(end / capital) ** (252 / len(ordered)) - 1,
        "sharpe": sharpe,
        "sortino": sortino,
        "max_drawdown": worst,
        "max_drawdown_pct": worst_pct,
        "max_drawdown_duration_s": longest,
        "win_rate": len(wins) / (len(wins) + len(losses)) if wins or losses else None,
        "profit_factor": float(sum(wins) / -sum(losses)) if losses else None,
        "commission": sum((Decimal(f["commission"]) for f in fills), Decimal(0)),
        "trades_per_day": len(fills) / len(ordered),
    }


def agree(stated: Metrics, again: dict) -> None:
    for name, value in again.items():
        mine = getattr(stated, name)
        if value is None or mine is None:
            assert mine is None and value is None, name
        elif isinstance(value, Decimal):
            assert mine == value, name
        else:
            assert math.isclose(mine, value, rel_tol=1e-9, abs_tol=1e-12), (name, mine, value)


@settings(max_examples=150, deadline=None)
@given(runs())
def test_the_figures_equal_a_recomputation_from_the_fills_and_curve(
    run: tuple[list[Fill], list[EquityPoint]],
) -> None:
    fills, curve = run
    stated = metrics(CAPITAL, fills, curve)
    raw_fills = [
        {
            "offset": str(f.offset),
            "realized_pnl": str(f.realized_pnl),
            "commission": str(f.commission),
        }
        for f in fills
    ]
    points = [[p.datetime.isoformat(), str(p.balance)] for p in curve]
    agree(stated, recompute(CAPITAL, raw_fills, points, [p.trading_day.isoformat() for p in curve]))


def test_a_flat_curve_has_no_drawdown_and_no_ratios() -> None:
    curve = [
        EquityPoint(START + timedelta(days=i), date(2026, 6, 1 + i), CAPITAL) for i in range(3)
    ]
    stated = metrics(CAPITAL, [], curve)
    assert stated.max_drawdown == 0 and stated.max_drawdown_duration_s == 0
    assert stated.sharpe is None and stated.sortino is None and stated.win_rate is None
    assert stated.total_return == 0


def test_a_real_runs_report_recomputes_to_its_own_figures(ma_run) -> None:  # type: ignore[no-untyped-def]
    series = json.loads(json.dumps(series_json(ma_run)))
    stated = json.loads(json.dumps(metrics_json(ma_run.metrics)))
    again = recompute(ma_run.spec.capital, series["fills"], series["curve"], series["curve_days"])
    assert ma_run.metrics.fills > 10
    agree(ma_run.metrics, again)
    assert Decimal(stated["end_balance"]) == Decimal(series["curve"][-1][1])
