"""Backtests for the console's Backtest page: start a run, follow its progress, list
past runs, open one with its series, compare two. The backtester runs the live kernel
on recorded data in a worker process (docs/backtesting.md)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from arbig.api.backtests import (
    BacktestRefused,
    BacktestRequest,
    BacktestService,
    RunDetail,
    RunNotFound,
    RunSummary,
)
from arbig.web.responses import DomainJSON
from arbig.web.schemas import answers, refused

router = APIRouter(
    prefix="/backtests",
    tags=["backtests"],
    responses=refused(503, "This console runs no backtester"),
)

RunId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="a run's id")]
COMPARED = (
    "total_return",
    "annual_return",
    "sharpe",
    "sortino",
    "max_drawdown_pct",
    "max_drawdown_duration_s",
    "win_rate",
    "profit_factor",
    "trades_per_day",
)


class BacktestIn(BaseModel):
    """A run to start. ``synth_days``: simulated trading days (from ``first``, else
    today) instead of the catalog's recorded ticks."""

    strategy: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$", examples=["ma_crossover"])]
    params: dict[str, Any] = Field(default_factory=dict, description="the strategy's parameters")
    symbol: Annotated[str | None, Field(pattern=r"^[a-z]{1,2}\d{3,4}$")] = None
    first: date | None = Field(None, description="first trading day")
    last: date | None = Field(None, description="last trading day")
    mode: Literal["ticks", "bars"] = "ticks"
    capital: Annotated[Decimal | None, Field(gt=0, max_digits=16, decimal_places=2)] = None
    latency_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    slippage_ticks: Annotated[int, Field(ge=0, le=20)] = 3
    synth_days: Annotated[int | None, Field(ge=1, le=60)] = None


class Comparison(BaseModel):
    """Two runs side by side: each figure of ``b`` less ``a``'s, where both have it."""

    a: dict[str, Any]
    b: dict[str, Any]
    difference: dict[str, float | None]


def desk(request: Request) -> BacktestService:
    service: BacktestService | None = getattr(request.app.state, "backtests", None)
    if service is None:
        raise HTTPException(503, "this console runs no backtester")
    return service


@router.get("/strategies", summary="Strategies a backtest may run", responses=answers(list[str]))
async def strategies(request: Request) -> Any:
    return DomainJSON(await desk(request).strategies())


@router.post(
    "",
    status_code=202,
    summary="Start a backtest (runs in the background; follow it with GET /backtests/{id})",
    responses={202: {"model": RunSummary}, **refused(409, "The run cannot start")},
)
async def start(body: BacktestIn, request: Request) -> Any:
    try:
        summary = await desk(request).start(BacktestRequest(**body.model_dump()))
    except BacktestRefused as exc:
        field = ["body", exc.field or "strategy"]
        errors = [{"loc": field, "msg": str(exc), "type": "refused"}]
        return JSONResponse({"detail": str(exc), "errors": errors}, status_code=422)
    return DomainJSON(summary, status_code=202)


@router.get(
    "", summary="Past and running backtests, newest first", responses=answers(list[RunSummary])
)
async def runs(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Any:
    return DomainJSON(await desk(request).runs(limit))


@router.get(
    "/compare",
    summary="Two runs' figures side by side",
    responses={**answers(Comparison), **refused(404, "No such run")},
)
async def compare(
    request: Request,
    a: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")],
    b: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")],
) -> Any:
    service = desk(request)
    try:
        first, second = (await service.run(a)).summary, (await service.run(b)).summary
    except RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    difference: dict[str, float | None] = {}
    for name in COMPARED:
        x = (first.metrics or {}).get(name)
        y = (second.metrics or {}).get(name)
        difference[name] = float(y) - float(x) if x is not None and y is not None else None
    return DomainJSON({"a": first, "b": second, "difference": difference})


@router.get(
    "/{run_id}",
    summary="One run: its figures and series (fills, daily P&L, equity, prices, decisions)",
    responses={**answers(RunDetail), **refused(404, "No such run")},
)
async def run(run_id: RunId, request: Request) -> Any:
    try:
        return DomainJSON(await desk(request).run(run_id))
    except RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None
