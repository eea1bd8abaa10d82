"""``backtest_runs``: backtests, their parameters, code version and results."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.api.backtests import RunDetail, RunNotFound, RunStatus, RunSummary
from arbig.storage.models import BacktestRunRow
from arbig.storage.types import utcnow


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run as it starts."""

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
    code_version: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run ended: ``metrics`` and ``series`` as plain JSON data."""

    status: RunStatus
    ticks: int = 0
    elapsed_s: float = 0.0
    metrics: dict[str, Any] | None = None
    series: dict[str, Any] | None = None
    error: str | None = None


class BacktestRunStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def begin(self, run: NewRun) -> None:
        async with self._sessions() as session, session.begin():
            session.add(_row(run, "running"))

    async def progress(self, run_id: str, fraction: float) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(BacktestRunRow)
                .where(BacktestRunRow.run_id == run_id)
                .values(progress=min(max(fraction, 0.0), 1.0))
            )

    async def finish(self, run_id: str, outcome: Outcome) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(BacktestRunRow)
                .where(BacktestRunRow.run_id == run_id)
                .values(
                    status=outcome.status,
                    progress=1.0 if outcome.status == "done" else BacktestRunRow.progress,
                    ticks=outcome.ticks,
                    elapsed_s=outcome.elapsed_s,
                    metrics=outcome.metrics,
                    series=outcome.series,
                    error=outcome.error,
                    finish_time=utcnow(),
                )
            )

    async def abandon(self, error: str) -> None:
        """Mark every run still ``running`` as failed with ``error`` (the process that
        ran them has ended)."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(BacktestRunRow)
                .where(BacktestRunRow.status == "running")
                .values(status="failed", error=error, finish_time=utcnow())
            )

    async def save(self, run: NewRun, outcome: Outcome) -> None:
        """Record a run that has already ended (the command line's)."""
        row = _row(run, outcome.status)
        row.progress = 1.0 if outcome.status == "done" else 0.0
        row.ticks, row.elapsed_s = outcome.ticks, outcome.elapsed_s
        row.metrics, row.series, row.error = outcome.metrics, outcome.series, outcome.error
        row.finish_time = utcnow()
        async with self._sessions() as session, session.begin():
            session.add(row)

    async def runs(self, limit: int = 50, sweep_id: str | None = None) -> list[RunSummary]:
        query = select(BacktestRunRow).order_by(BacktestRunRow.id.desc()).limit(limit)
        if sweep_id is not None:
            query = query.where(BacktestRunRow.sweep_id == sweep_id)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [_summary(row) for row in rows]

    async def run(self, run_id: str) -> RunDetail:
        async with self._sessions() as session:
            row = await session.scalar(
                select(BacktestRunRow).where(BacktestRunRow.run_id == run_id)
            )
        if row is None:
            raise RunNotFound(f"no backtest run {run_id!r}")
        return RunDetail(_summary(row), row.series or {})


def _row(run: NewRun, status: RunStatus) -> BacktestRunRow:
    return BacktestRunRow(
        run_id=run.run_id,
        sweep_id=run.sweep_id,
        strategy_name=run.strategy,
        symbol=run.symbol,
        params=run.params,
        mode=run.mode,
        data_from=run.data_from,
        data_to=run.data_to,
        fill_model=run.fill_model,
        capital=run.capital,
        status=status,
        progress=0.0,
        code_version=run.code_version,
        ticks=0,
        elapsed_s=0.0,
    )


def _summary(row: BacktestRunRow) -> RunSummary:
    return RunSummary(
        run_id=row.run_id,
        sweep_id=row.sweep_id,
        strategy=row.strategy_name,
        symbol=row.symbol,
        params=dict(row.params),
        mode=row.mode,
        data_from=row.data_from,
        data_to=row.data_to,
        fill_model=dict(row.fill_model),
        capital=row.capital,
        status=cast(RunStatus, row.status),
        progress=row.progress,
        error=row.error,
        code_version=row.code_version,
        ticks=row.ticks,
        elapsed_s=row.elapsed_s,
        metrics=row.metrics,
        created_at=row.create_time,
        finished_at=row.finish_time,
    )
