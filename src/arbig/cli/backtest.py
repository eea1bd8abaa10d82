"""``arbig backtest STRATEGY``: replay recorded ticks through the live kernel; with
``--grid``, a parameter sweep in local processes or on a Dask cluster."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise fail(f"{option} {value!r}: write a trading day as YYYY-MM-DD") from None


def backtest(
    strategy: Annotated[str, typer.Argument(help="strategy name (e.g. ma_crossover, donchian)")],
    first: Annotated[
        str | None, typer.Option("--from", help="first trading day, YYYY-MM-DD")
    ] = None,
    last: Annotated[str | None, typer.Option("--to", help="last trading day, YYYY-MM-DD")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="strategy parameter NAME=VALUE (repeat)")
    ] = None,
    bars: Annotated[
        bool, typer.Option("--bars/--ticks", help="replay 1-minute bars instead of ticks")
    ] = False,
    symbol: Annotated[
        str | None, typer.Option(help="contract (default: the strategy's, else the main one)")
    ] = None,
    capital: Annotated[str | None, typer.Option(help="starting capital, yuan")] = None,
    latency_ms: Annotated[
        int, typer.Option(help="an order meets only ticks this much newer", min=0, max=60000)
    ] = 0,
    slippage_ticks: Annotated[
        int | None, typer.Option(help="marketable limit: ticks through the quote", min=0, max=20)
    ] = None,
    depth: Annotated[
        bool, typer.Option("--depth/--no-depth", help="cap fills by the volume shown")
    ] = True,
    grid: Annotated[
        list[str] | None, typer.Option("--grid", help="sweep NAME=V1,V2,... (repeat)")
    ] = None,
    rank: Annotated[str, typer.Option(help="rank a sweep by this metric")] = "sharpe",
    workers: Annotated[
        int | None, typer.Option(help="local processes for a sweep (default: every core)", min=1)
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(help="Dask scheduler for a sweep (or ARBIG_DASK_SCHEDULER)"),
    ] = None,
    synth: Annotated[
        int | None,
        typer.Option(help="replay this many simulated trading days instead of the catalog"),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the simulated days")] = 1,
    catalog: Annotated[
        Path | None, typer.Option(help="catalog folder (default: DATA_DIR/catalog)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="HTML report file (default: DATA_DIR/reports/...)")
    ] = None,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="record the run in backtest_runs")
    ] = True,
    data_dir: DataDirOption = None,
    config: ConfigOption = None,
) -> None:
    """Backtest STRATEGY on recorded history through the same kernel as live trading."""
    from arbig.backtest.command import CommandError, Options, run_command

    settings = settings_or_exit(config, data_dir=data_dir)
    try:
        money = Decimal(capital) if capital is not None else None
    except InvalidOperation:
        raise fail(f"--capital {capital!r}: give an amount in yuan") from None
    if money is not None and money <= 0:
        raise fail("--capital: the starting capital must be positive")
    options = Options(
        strategy=strategy,
        first=_day(first, "--from"),
        last=_day(last, "--to"),
        params=param or (),
        mode="bars" if bars else "ticks",
        symbol=symbol,
        capital=money,
        latency_ms=latency_ms,
        slippage_ticks=slippage_ticks,
        depth=depth,
        grid=grid or (),
        rank=rank,
        workers=workers,
        dask=dask,
        synth_days=synth,
        seed=seed,
        catalog=catalog,
        report=report,
        store=store,
    )
    try:
        code = run_command(settings, options, Console())
    except CommandError as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)
