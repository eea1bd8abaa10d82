"""``arbig backtest``: one run or a sweep, recorded in ``backtest_runs``, printed as a
table and written as an HTML report. The CLI module parses the options; this is the
work behind them."""

import asyncio
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from arbig.backtest.data import DataError, DataSource
from arbig.backtest.kernel import BacktestError, check_spec
from arbig.backtest.report import ReportError, run_report, sweep_report
from arbig.backtest.results import code_version, metrics_json, plain, series_json
from arbig.backtest.spec import BacktestResult, BacktestSpec, FillModel, Mode
from arbig.backtest.sweep import (
    DASK_ENV,
    Job,
    SweepError,
    combinations,
    parse_grid,
    parse_value,
    rank,
    run_dask,
    run_job,
    run_local,
)
from arbig.backtest.table import ranked_table, run_table
from arbig.config import Settings
from arbig.logs import configure_logging
from arbig.storage.backtests import BacktestRunStore, NewRun, Outcome
from arbig.storage.database import check_connection, check_schema, create_engine, session_factory
from arbig.storage.migrations import upgrade


class CommandError(ValueError):
    """A failure to report in one line (bad option, no data, database not upgraded)."""


@dataclass(frozen=True, slots=True)
class Options:
    strategy: str
    first: date | None = None
    last: date | None = None
    params: Sequence[str] = ()
    mode: Mode = "ticks"
    symbol: str | None = None
    capital: Decimal | None = None
    latency_ms: int = 0
    slippage_ticks: int | None = None
    depth: bool = True
    grid: Sequence[str] = ()
    rank: str = "sharpe"
    workers: int | None = None
    dask: str | None = None
    synth_days: int | None = None
    seed: int = 1
    catalog: Path | None = None
    report: Path | None = None
    store: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--param {pair!r}: write NAME=VALUE (e.g. fast=5)")
        params[name.strip()] = parse_value(value)
    return params


def catalog_root(settings: Settings, given: Path | None) -> Path:
    return given if given is not None else settings.catalog_root


def build_spec(settings: Settings, options: Options) -> BacktestSpec:
    params = parse_params(options.params)
    symbol = options.symbol or params.get("symbol") or settings.main_contract
    fill = FillModel(
        latency_ms=options.latency_ms,
        slippage_ticks=(
            options.slippage_ticks
            if options.slippage_ticks is not None
            else settings.strategy.slippage_ticks
        ),
        depth=options.depth,
    )
    return BacktestSpec(
        strategy=options.strategy,
        symbol=str(symbol),
        params=params,
        first=options.first,
        last=options.last,
        mode=options.mode,
        capital=options.capital if options.capital is not None else settings.sim.capital,
        fill=fill,
    )


def data_source(settings: Settings, options: Options) -> DataSource:
    if options.synth_days is not None:
        if options.synth_days < 1:
            raise CommandError("--synth: give a number of trading days (1 or more)")
        return DataSource(
            "synth", days=options.synth_days, seed=options.seed, start=options.first or date.today()
        )
    return DataSource("catalog", root=catalog_root(settings, options.catalog))


def _new_run(result_spec: BacktestSpec, sweep_id: str | None) -> NewRun:
    return NewRun(
        run_id=uuid.uuid4().hex,
        sweep_id=sweep_id,
        strategy=result_spec.strategy,
        symbol=result_spec.symbol,
        params=plain(result_spec.params),
        mode=result_spec.mode,
        data_from=result_spec.first,
        data_to=result_spec.last,
        fill_model=plain(result_spec.fill),
        capital=result_spec.capital,
        code_version=code_version(),
    )


def outcome_of(result: BacktestResult) -> Outcome:
    return Outcome(
        status="done",
        ticks=result.ticks,
        elapsed_s=result.elapsed_s,
        metrics=metrics_json(result.metrics),
        series=series_json(result),
    )


async def store_results(
    settings: Settings, results: Sequence[BacktestResult], sweep_id: str | None
) -> list[str]:
    """Record ``results`` in ``backtest_runs``; returns their run ids. The embedded SQLite
    file is upgraded in place; a server database must have been upgraded already."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.sqlalchemy_url)
    try:
        await check_connection(engine)
        if settings.database_url is None:
            await upgrade(engine)
        await check_schema(engine)
        store = BacktestRunStore(session_factory(engine))
        ids = []
        for result in results:
            run = _new_run(result.spec, sweep_id)
            await store.save(run, outcome_of(result))
            ids.append(run.run_id)
        return ids
    finally:
        await engine.dispose()


def _quiet() -> None:
    """A backtest's refused orders and fills would flood the terminal: errors only."""
    configure_logging("error")
    logging.getLogger("distributed").setLevel(logging.ERROR)


def _single(
    settings: Settings, spec: BacktestSpec, source: DataSource, console: Console
) -> BacktestResult:
    job = Job(settings, spec, source)
    with console.status(f"replaying {spec.symbol} through {spec.strategy}..."):
        return run_job(job)


def _many(
    settings: Settings, options: Options, jobs: list[Job], console: Console
) -> list[BacktestResult]:
    address = options.dask or os.environ.get(DASK_ENV) or None
    where = f"on Dask at {address}" if address else "in local processes"
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{len(jobs)} combinations {where}", total=len(jobs))

        def done(_: int) -> None:
            progress.advance(task)

        if address:
            return run_dask(jobs, address, done)
        return run_local(jobs, options.workers, done)


def run_command(settings: Settings, options: Options, console: Console) -> int:
    """Run what ``options`` ask; returns the exit code. CommandError for a clear failure."""
    _quiet()
    spec = build_spec(settings, options)
    try:
        grid = parse_grid(options.grid)
        combos = combinations(grid) if grid else []
        for combo in combos or [{}]:
            check_spec(settings, spec.with_params(combo))
        if options.rank and combos:
            rank([], options.rank)  # an unknown metric is refused before any run
    except (BacktestError, SweepError) as exc:
        raise CommandError(str(exc)) from None
    source = data_source(settings, options)
    try:
        if combos:
            jobs = [Job(settings, spec.with_params(c), source) for c in combos]
            results = _many(settings, options, jobs, console)
        else:
            results = [_single(settings, spec, source, console)]
    except (BacktestError, DataError, SweepError) as exc:
        raise CommandError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise CommandError(
            f"{exc.name} is not installed: the catalog needs it (or use --synth DAYS)"
        ) from None
    sweep_id = uuid.uuid4().hex if combos else None
    ids: list[str] = []
    if options.store:
        try:
            ids = asyncio.run(store_results(settings, results, sweep_id))
        except Exception as exc:  # the results are printed and reported all the same
            console.print(f"[red]results not stored in backtest_runs: {exc}[/red]")
    version = code_version()
    if combos:
        ranked = rank(results, options.rank)
        console.print(ranked_table(ranked, list(grid), options.rank))
        page = sweep_report(ranked, list(grid), options.rank, version) if _can_report() else None
        name = f"sweep-{sweep_id}"
    else:
        console.print(run_table(results[0]))
        page = run_report(results[0], version) if _can_report() else None
        name = f"backtest-{ids[0]}" if ids else f"backtest-{datetime.now():%Y%m%d%H%M%S}"
    if ids and not combos:
        console.print(f"stored as backtest run {ids[0]}")
    elif ids:
        console.print(f"stored as sweep {sweep_id} ({len(ids)} runs)")
    if page is None:
        console.print(f"[yellow]no HTML report: {_report_problem()}[/yellow]")
        return 0
    path = options.report or settings.data_dir / "reports" / f"{name}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    console.print(f"report: {path}")
    return 0


def _can_report() -> bool:
    return _report_problem() is None


def _report_problem() -> str | None:
    from arbig.backtest.report import echarts_source

    try:
        echarts_source()
    except ReportError as exc:
        return str(exc)
    return None
