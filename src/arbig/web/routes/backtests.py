"""Backtests: start a run of a strategy on the catalog's history, list the runs (the
console polls a running one for its progress), read one with its series."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from arbig.api.backtests import (
    BacktestRefused,
    BacktestRequest,
    BacktestService,
    RunDetail,
    RunNotFound,
    RunSummary,
)
from arbig.web.responses import DomainJSON
from arbig.web.schemas import INVALID, IsoDay, answers, refused

router = APIRouter(prefix="/backtests", tags=["backtests"])


async def get_backtests(request: Request) -> BacktestService:
    service: BacktestService | None = request.app.state.backtests
    if service is None:
        raise HTTPException(503, "this process runs no backtester (it runs in the core's process)")
    return service


BacktestsDep = Annotated[BacktestService, Depends(get_backtests)]
UNAVAILABLE = refused(503, "This process runs no backtester")


class BacktestBody(BaseModel):
    """One run: ``strategy`` with ``params`` on ``symbol`` (the main contract when
    omitted) over the trading days ``first``..``last`` (all the catalog holds when
    omitted); the fill assumptions as docs/backtesting.md states them."""

    model_config = ConfigDict(extra="forbid")

    strategy: str = Field(min_length=1, max_length=64, description="a strategy's name")
    params: dict[str, Any] = Field(default_factory=dict, description="see the strategy's schema")
    symbol: str | None = Field(None, pattern=r"^[A-Za-z]{1,4}\d{3,4}$", description="e.g. au2612")
    first: IsoDay | None = Field(None, description="first trading day")
    last: IsoDay | None = Field(None, description="last trading day")
    mode: Literal["ticks", "bars"] = "ticks"
    capital: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=2)
    latency_ms: int = Field(0, ge=0, le=60_000)
    slippage_ticks: int = Field(3, ge=0, le=100)


def _refusal(exc: BacktestRefused) -> JSONResponse:
    """A field that is wrong: 422 naming it as a validation error does; else 409."""
    if exc.field is None:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    error = {"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}
    return JSONResponse({"detail": f"{exc.field}: {exc}", "errors": [error]}, status_code=422)


@router.post(
    "",
    summary="Start a backtest; it runs in the background (poll it for its progress)",
    responses={
        **answers(RunSummary),
        **INVALID,
        **refused(409, "Too many backtests running"),
        **UNAVAILABLE,
    },
)
async def start(body: BacktestBody, service: BacktestsDep) -> Any:
    request = BacktestRequest(**body.model_dump())
    try:
        return DomainJSON(await service.start(request))
    except BacktestRefused as exc:
        return _refusal(exc)


@router.get(
    "",
    summary="The latest backtest runs, newest first (a sweep's only with sweep_id)",
    responses={**answers(list[RunSummary]), **UNAVAILABLE},
)
async def runs(
    service: BacktestsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    sweep_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
) -> Any:
    return DomainJSON(await service.runs(limit, sweep_id))


@router.get(
    "/{run_id}",
    summary="One run with its series: trades, daily P&L, equity curve, prices, decisions",
    responses={**answers(RunDetail), **refused(404, "No run with that id"), **UNAVAILABLE},
)
async def run(run_id: str, service: BacktestsDep) -> Any:
    try:
        return DomainJSON(await service.run(run_id))
    except RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None
