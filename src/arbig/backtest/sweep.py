"""Parameter sweeps: every combination of a grid, each a backtest of its own, run in
parallel processes on this machine or on a Dask distributed cluster.

A job is a picklable value (settings, the run's spec, where its data is); each worker
opens the data itself (``backtest.data``), so only results travel back.
"""

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from arbig.backtest.data import DataSource, bar_ticks, bars_before, bars_of, load_ticks
from arbig.backtest.kernel import Progress, run_backtest
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.performance import LOWER_IS_BETTER, METRIC_NAMES
from arbig.engine.strategy.runner import BARS_KEPT
from arbig.logs import configure_logging

DASK_ENV = "ARBIG_DASK_SCHEDULER"


class SweepError(ValueError):
    """A grid or a cluster that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Job:
    settings: Settings
    spec: BacktestSpec
    source: DataSource


def parse_value(text: str) -> Any:
    """A parameter value from the command line: an integer, a number, true/false, or text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text.strip()


def parse_grid(axes: Sequence[str]) -> dict[str, list[Any]]:
    """``["fast=3,5,8", "slow=20,30"]`` as {"fast": [3, 5, 8], "slow": [20, 30]}."""
    grid: dict[str, list[Any]] = {}
    for axis in axes:
        name, sep, values = axis.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise SweepError(f"--grid {axis!r}: write NAME=V1,V2,... (e.g. fast=3,5,8)")
        if name in grid:
            raise SweepError(f"--grid {name} is given twice")
        grid[name] = [parse_value(v) for v in values.split(",") if v.strip()]
    return grid


def combinations(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the first axis slowest."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def run_job(job: Job, progress: Progress | None = None) -> BacktestResult:
    """One combination, in whichever process runs it (a pool's, a Dask worker's, the
    console's); ``progress`` hears of the exchange time reached."""
    configure_logging("error")  # a worker's refusals and fills are in its result
    settings, spec = job.settings, job.spec
    calendar = TradingCalendar.gold(settings.holidays)
    contract = settings.contract_spec(spec.symbol)
    ticks = load_ticks(job.source, spec.symbol, contract, calendar, spec.first, spec.last)
    if spec.mode == "bars":
        ticks = bar_ticks(bars_of(ticks, calendar), contract)
    history = bars_before(job.source, spec.symbol, spec.first, BARS_KEPT)
    return run_backtest(settings, spec, ticks, progress, history)


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_local(
    jobs: Sequence[Job], workers: int | None = None, done: Callable[[int], None] | None = None
) -> list[BacktestResult]:
    """Every job in a pool of ``workers`` processes (every core by default); results in
    the jobs' order. ``done`` hears of each finished job's index."""
    count = max(1, min(workers or cores(), len(jobs)))
    results: dict[int, BacktestResult] = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            if done is not None:
                done(index)
    return [results[i] for i in range(len(jobs))]


def run_dask(
    jobs: Sequence[Job], address: str, done: Callable[[int], None] | None = None
) -> list[BacktestResult]:
    """Every job on the Dask cluster whose scheduler is at ``address``; results in the
    jobs' order. The workers need ARBIG installed and the data's path (a catalog)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise SweepError(f"no Dask scheduler answers at {address}: {exc}") from None
    with client:
        futures = client.map(run_job, list(jobs), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, BacktestResult] = {}
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            i = index[future.key]
            results[i] = future.result()
            if done is not None:
                done(i)
    return [results[i] for i in range(len(jobs))]


def rank(results: Sequence[BacktestResult], metric: str) -> list[BacktestResult]:
    """``results`` best first by ``metric``; runs where it is undefined come last."""
    if metric not in METRIC_NAMES:
        raise SweepError(f"--rank {metric!r}: rank by one of {', '.join(METRIC_NAMES)}")
    lower = metric in LOWER_IS_BETTER

    def key(result: BacktestResult) -> tuple[int, float]:
        value = getattr(result.metrics, metric)
        if value is None:
            return 1, 0.0
        number = float(value)
        return 0, number if lower else -number

    return sorted(results, key=key)
