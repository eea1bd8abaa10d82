"""The console's backtester (``arbig.api.backtests.BacktestService``): runs started from
the Backtest page, each in a process of its own on the catalog's recorded ticks,
recorded in ``backtest_runs`` from the moment it starts (``running``, its progress)
to its end (``done`` with its results, or ``failed`` with why).

A run replays the live kernel for seconds to minutes of full CPU: in a process of its
own it never holds the console's event loop, and stopping the console ends it.
"""

import asyncio
import contextlib
import logging
import queue
import uuid
from datetime import date, datetime, time, timedelta
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.api.backtests import BacktestRefused, BacktestRequest, RunDetail, RunSummary
from arbig.backtest.command import outcome_of
from arbig.backtest.data import DataError, DataSource, open_reader
from arbig.backtest.kernel import BacktestError
from arbig.backtest.notes import read_notes
from arbig.backtest.results import code_version, plain
from arbig.backtest.spec import BacktestSpec, FillModel
from arbig.backtest.sweep import Job, run_job
from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.engine.strategy.loader import StrategyError, registry, validate_params
from arbig.storage.backtests import BacktestRunStore, NewRun, Outcome

log = logging.getLogger(__name__)

MOST_AT_ONCE = 2  # runs going at the same time; each takes a core
POLL_S = 0.5  # how often a run's process is asked for news
STOPPED = "stopped: the console shut down before the run ended"


class BacktestDesk:
    """Starts runs in their own processes and keeps ``backtest_runs`` up to date."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._store = BacktestRunStore(sessions)
        self._going: dict[str, asyncio.Task[None]] = {}

    async def open(self) -> None:
        """Runs a previous console left ``running`` ended with it: mark them failed."""
        await self._store.abandon(STOPPED)

    async def close(self) -> None:
        tasks = list(self._going.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def strategies(self) -> list[str]:
        return sorted(registry(self._settings.strategy.modules))

    async def runs(self, limit: int = 50, sweep_id: str | None = None) -> list[RunSummary]:
        return await self._store.runs(limit, sweep_id)

    async def run(self, run_id: str) -> RunDetail:
        detail = await self._store.run(run_id)
        if "notes" not in detail.series:
            return detail
        # Runs stored before notes had codes hold plain sentences: the console gets one shape.
        notes = plain(read_notes(detail.series["notes"]))
        return RunDetail(detail.summary, {**detail.series, "notes": notes})

    async def start(self, request: BacktestRequest) -> RunSummary:
        if len(self._going) >= MOST_AT_ONCE:
            raise BacktestRefused(f"{MOST_AT_ONCE} backtests are running: wait for one to end")
        spec = self._spec(request)
        window = await asyncio.to_thread(self._window, spec)
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
        source = DataSource("catalog", root=self._settings.catalog_root)
        job = Job(self._settings, spec, source)
        task = asyncio.create_task(self._follow(run.run_id, job, window), name="backtest")
        self._going[run.run_id] = task
        task.add_done_callback(lambda _: self._going.pop(run.run_id, None))
        return (await self._store.run(run.run_id)).summary

    def _spec(self, request: BacktestRequest) -> BacktestSpec:
        """The run's spec, or BacktestRefused naming the field that is wrong."""
        settings = self._settings
        cls = registry(settings.strategy.modules).get(request.strategy)
        if cls is None:
            known = ", ".join(sorted(registry(settings.strategy.modules)))
            raise BacktestRefused(
                f"no strategy named {request.strategy!r}; known: {known}", "strategy"
            )
        try:
            validate_params(cls, request.params)
        except StrategyError as exc:
            raise BacktestRefused(str(exc), "params") from None
        symbol = request.symbol or settings.main_contract
        try:
            settings.contract_spec(symbol)
        except ValueError as exc:
            raise BacktestRefused(f"symbol {symbol!r}: {exc}", "symbol") from None
        if request.first and request.last and request.first > request.last:
            raise BacktestRefused(f"from {request.first} is after to {request.last}", "last")
        return BacktestSpec(
            strategy=request.strategy,
            symbol=symbol,
            params=dict(request.params),
            first=request.first,
            last=request.last,
            mode=request.mode,
            capital=request.capital if request.capital is not None else settings.sim.capital,
            fill=FillModel(latency_ms=request.latency_ms, slippage_ticks=request.slippage_ticks),
        )

    def _window(self, spec: BacktestSpec) -> tuple[datetime, datetime]:
        """The span of exchange time the run covers (its progress is measured on it), or
        BacktestRefused when the catalog holds no day of the contract in the range."""
        try:
            held = open_reader(DataSource("catalog", root=self._settings.catalog_root)).days(
                spec.symbol
            )
        except ModuleNotFoundError as exc:
            raise BacktestRefused(f"{exc.name} is not installed: the catalog needs it") from None
        days = [
            d
            for d in held
            if (spec.first is None or d >= spec.first) and (spec.last is None or d <= spec.last)
        ]
        if not days:
            holds = f"it holds {held[0]} .. {held[-1]}" if held else "it holds none"
            asked = f"{spec.first or 'the first day'} .. {spec.last or 'the last day'}"
            raise BacktestRefused(
                f"the catalog holds no trading day of {spec.symbol} in {asked} ({holds}); "
                "`arbig data synth --days 5` writes simulated days",
                "first",
            )
        return _opening(days[0]), datetime.combine(days[-1], time(15), EXCHANGE_TZ)

    async def _follow(self, run_id: str, job: Job, window: tuple[datetime, datetime]) -> None:
        context = get_context("spawn")
        news: Queue[tuple[str, Any]] = context.Queue()
        process = context.Process(
            target=_replay, args=(job, window, news), name=f"backtest-{run_id[:8]}", daemon=True
        )
        outcome: Outcome | None = None
        try:
            process.start()
            outcome = await self._listen(run_id, process, news)
        except asyncio.CancelledError:
            outcome = Outcome(status="failed", error=STOPPED)
            raise
        except Exception as exc:  # the run fails, the console goes on
            log.exception("backtest %s failed", run_id)
            outcome = Outcome(status="failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            if process.is_alive():
                process.terminate()
            if process.pid is not None:
                await asyncio.to_thread(process.join, 10)
            news.close()
            if outcome is not None:
                await asyncio.shield(self._store.finish(run_id, outcome))

    async def _listen(
        self, run_id: str, process: BaseProcess, news: "Queue[tuple[str, Any]]"
    ) -> Outcome:
        while True:
            try:
                kind, value = await asyncio.to_thread(news.get, True, POLL_S)
            except queue.Empty:
                if not process.is_alive():
                    return Outcome(
                        status="failed",
                        error=f"the run's process ended with exit code {process.exitcode}",
                    )
                continue
            if kind == "progress":
                await self._store.progress(run_id, float(value))
            elif kind == "done":
                return outcome_of(value)
            else:
                return Outcome(status="failed", error=str(value))


def _opening(day: date) -> datetime:
    """Where a trading day's data may start: the night session before it (21:00)."""
    return datetime.combine(day, time(0), EXCHANGE_TZ) - timedelta(hours=3)


def _replay(job: Job, window: tuple[datetime, datetime], news: "Queue[tuple[str, Any]]") -> None:
    """A run's process: replay, telling the parent how far it is, then its result."""
    start, end = window
    span = (end - start).total_seconds() or 1.0

    def progress(now: datetime) -> None:
        news.put(("progress", min(max((now - start).total_seconds() / span, 0.0), 0.99)))

    try:
        news.put(("done", run_job(job, progress)))
    except (BacktestError, DataError) as exc:
        news.put(("failed", str(exc)))
    except Exception as exc:  # reported as the run's error, not lost with the process
        news.put(("failed", f"{type(exc).__name__}: {exc}"))
