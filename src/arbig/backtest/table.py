"""A run's figures and a sweep's ranking as Rich tables for the terminal."""

from collections.abc import Sequence

from rich.table import Table

from arbig.backtest.notes import note_text
from arbig.backtest.spec import BacktestResult
from arbig.domain.performance import Metrics


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def figures(m: Metrics) -> list[tuple[str, str]]:
    return [
        ("total return", _pct(m.total_return)),
        ("annualised return", _pct(m.annual_return)),
        ("Sharpe", _num(m.sharpe)),
        ("Sortino", _num(m.sortino)),
        ("max drawdown", f"{m.max_drawdown} ({_pct(m.max_drawdown_pct)})"),
        ("max drawdown duration", f"{m.max_drawdown_duration_s / 3600:.1f} h"),
        ("win rate", _pct(m.win_rate)),
        ("profit factor", _num(m.profit_factor)),
        ("fills", str(m.fills)),
        ("trades per day", f"{m.trades_per_day:.2f}"),
        ("commission", str(m.commission)),
        ("trading days", str(m.trading_days)),
        ("balance", f"{m.capital} -> {m.end_balance}"),
    ]


def run_table(result: BacktestResult) -> Table:
    spec = result.spec
    params = ", ".join(f"{k}={v}" for k, v in spec.params.items()) or "defaults"
    table = Table(title=f"{spec.strategy} on {spec.symbol} ({params})", show_header=False)
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    for name, value in figures(result.metrics):
        table.add_row(name, value)
    table.add_row("ticks", f"{result.ticks:,} in {result.elapsed_s:.1f} s")
    for note in result.notes:
        table.add_row("note", note_text(note))
    return table


def ranked_table(ranked: Sequence[BacktestResult], axes: Sequence[str], metric: str) -> Table:
    table = Table(title=f"{len(ranked)} combinations ranked by {metric}")
    table.add_column("#", justify="right")
    for axis in axes:
        table.add_column(axis, justify="right")
    for name in ("total return", "Sharpe", "max drawdown", "win rate", "fills"):
        table.add_column(name, justify="right")
    for place, result in enumerate(ranked, 1):
        m = result.metrics
        table.add_row(
            str(place),
            *(str(result.spec.params.get(axis)) for axis in axes),
            _pct(m.total_return),
            _num(m.sharpe),
            _pct(m.max_drawdown_pct),
            _pct(m.win_rate),
            str(m.fills),
        )
    return table
