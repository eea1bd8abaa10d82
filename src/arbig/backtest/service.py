"""The console's backtester (``arbig.api.backtests.BacktestService``): runs started from
the web, one at a time in a worker process of their own (a replay is CPU-bound and
must not slow the live core's event loop), recorded in ``backtest_runs`` as they start
and when they end, with their progress readable while they run.
"""

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.api.backtests import (
    BacktestRefused,
    BacktestRequest,
    RunDetail,
    RunSummary,
)
from arbig.backtest.command import outcome_of
from arbig.backtest.data import DataError, DataSource, days_from, open_reader
from arbig.backtest.kernel import BacktestError, check_spec
from arbig.backtest.results import code_version, plain
from arbig.backtest.spec import BacktestResult, BacktestSpec, FillModel
from arbig.backtest.sweep import Job, run_job
from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.engine.strategy.loader import registry
from arbig.storage.backtests import BacktestRunStore, NewRun, Outcome

log = structlog.get_logger(__name__)

_progress: "Synchronized[float] | None" = None  # the worker process's share with the desk


def _share(progress: "Synchronized[float]") -> None:
    global _progress
    _progress = progress


def _run_in_worker(job: Job, start: datetime, end: datetime) -> BacktestResult:
    """A run in the worker process, its progress (a fraction of [start, end]) shared."""
    span = max((end - start).total_seconds(), 1.0)
    share = _progress

    def progress(now: datetime) -> None:
        if share is not None:
            share.value = min(max((now - start).total_seconds() / span, 0.0), 1.0)

    if share is not None:
        share.value = 0.0
    return run_job(job, progress)


def _worker_main(
    answer: Connection, share: "Synchronized[float]", job: Job, start: datetime, end: datetime
) -> None:
    """The worker process: one run, its result or its failure sent back."""
    _share(share)
    try:
        answer.send(("done", _run_in_worker(job, start, end)))
    except Exception as exc:
        answer.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        answer.close()


@dataclass(slots=True)
class _Queued:
    run_id: str
    job: Job
    start: datetime
    end: datetime


class BacktestDesk:
    """Starts, follows and lists backtests for the console."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._store = BacktestRunStore(sessions)
        self._calendar = TradingCalendar.gold(settings.holidays)
        self._ctx = get_context("spawn")
        self._share: Synchronized[float] = self._ctx.Value("d", 0.0)
        self._queue: list[_Queued] = []  # waiting, in order; the first is running
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._process: BaseProcess | None = None

    async def strategies(self) -> list[str]:
        return sorted(registry(self._settings.strategy.modules))

    async def start(self, request: BacktestRequest) -> RunSummary:
        spec = self._spec(request)
        source, start, end = self._data(request, spec)
        run = NewRun(
            run_id=uuid.uuid4().hex,
            sweep_id=None,
            strategy=spec.strategy,
            symbol=spec.symbol,
            params=plain(spec.params),
            mode=spec.mode,
            data_from=spec.first,
            data_to=spec.last,
            fill_model=plain(spec.fill),
            capital=spec.capital,
            code_version=code_version(),
        )
        await self._store.begin(run)
        self._queue.append(_Queued(run.run_id, Job(self._settings, spec, source), start, end))
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._work(), name="backtests")
        self._wake.set()
        return await self._summary(run.run_id)

    async def runs(self, limit: int = 50) -> list[RunSummary]:
        return [self._live(summary) for summary in await self._store.runs(limit)]

    async def run(self, run_id: str) -> RunDetail:
        detail = await self._store.run(run_id)
        return RunDetail(self._live(detail.summary), detail.series)

    async def close(self) -> None:
        """Stop the worker: the run under way and those waiting are recorded as failed."""
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        for queued in self._queue:
            await self._store.finish(
                queued.run_id, Outcome("failed", error="stopped with the console")
            )
        self._queue.clear()

    # --- internals ------------------------------------------------------------------

    async def _summary(self, run_id: str) -> RunSummary:
        return self._live((await self._store.run(run_id)).summary)

    def _live(self, summary: RunSummary) -> RunSummary:
        """A running run's progress as the worker reports it."""
        current = self._queue[0].run_id if self._queue else None
        if summary.status != "running" or summary.run_id != current:
            return summary
        return _with(summary, progress=float(self._share.value))

    async def _work(self) -> None:
        """Run the queued runs one at a time, each in a worker process of its own."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                queued = self._queue[0]
                outcome = await self._run(queued)
                await self._store.finish(queued.run_id, outcome)
                self._queue.pop(0)

    async def _run(self, queued: _Queued) -> Outcome:
        receive, answer = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=_worker_main,
            args=(answer, self._share, queued.job, queued.start, queued.end),
            name=f"arbig-backtest-{queued.run_id[:8]}",
            daemon=True,
        )
        self._share.value = 0.0
        process.start()
        answer.close()
        self._process = process
        try:
            kind, value = await asyncio.to_thread(receive.recv)
        except EOFError:
            return Outcome("failed", error=f"the worker process ended (exit {process.exitcode})")
        finally:
            receive.close()
            await asyncio.to_thread(process.join, 30)
            self._process = None
        if kind == "done":
            return outcome_of(value)
        log.warning("backtest failed", run_id=queued.run_id, error=value)
        return Outcome("failed", error=str(value))

    def _spec(self, request: BacktestRequest) -> BacktestSpec:
        settings = self._settings
        symbol = request.symbol or request.params.get("symbol") or settings.main_contract
        if request.first and request.last and request.first > request.last:
            raise BacktestRefused(f"first {request.first} is after last {request.last}", "first")
        if request.capital is not None and request.capital <= 0:
            raise BacktestRefused("the starting capital must be positive", "capital")
        spec = BacktestSpec(
            strategy=request.strategy,
            symbol=str(symbol),
            params=dict(request.params),
            first=request.first,
            last=request.last,
            mode=request.mode,
            capital=request.capital if request.capital is not None else settings.sim.capital,
            fill=FillModel(request.latency_ms, request.slippage_ticks),
        )
        try:
            check_spec(settings, spec)
        except BacktestError as exc:
            message = str(exc)
            field = "strategy"
            if "parameters" in message:
                field = "params"
            elif "symbol" in message:
                field = "symbol"
            raise BacktestRefused(message, field) from None
        return spec

    def _data(
        self, request: BacktestRequest, spec: BacktestSpec
    ) -> tuple[DataSource, datetime, datetime]:
        """Where the run's ticks come from and the span its progress is measured on."""
        if request.synth_days is not None:
            source = DataSource("synth", days=request.synth_days, start=spec.first or date.today())
            days = days_from(self._calendar, source.start, source.days)
        else:
            source = DataSource("catalog", root=self._settings.catalog_root)
            try:
                held = open_reader(source).days(spec.symbol)
            except (DataError, ValueError) as exc:
                raise BacktestRefused(str(exc), "symbol") from None
            days = [d for d in held if (not spec.first or d >= spec.first)
                    and (not spec.last or d <= spec.last)]  # fmt: skip
            if not days:
                raise BacktestRefused(
                    f"the catalog holds no ticks of {spec.symbol} in the range asked for "
                    "(record some, import a file, `arbig data synth`, or ask for synth_days)",
                    "symbol",
                )
        # From the night session before the first day (at most) to the last day's close.
        start = datetime.combine(days[0] - timedelta(days=1), time(21), EXCHANGE_TZ)
        end = datetime.combine(days[-1], time(15), EXCHANGE_TZ)
        return source, start, end


def _with(summary: RunSummary, **changes: Any) -> RunSummary:
    return replace(summary, **changes)
