"""Strategies: the catalogue, the running one, parameters, start and stop, triggers,
and handing a strategy lots of the account."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from arbig.api.errors import ControlRefused
from arbig.api.trading import ParamsStored, StrategyInfo, StrategyStatus
from arbig.domain.enums import Direction
from arbig.domain.handover import Handover
from arbig.domain.trigger import Trigger
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import StrategyParams, answers, refused

router = APIRouter(prefix="/strategies", tags=["strategies"])

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")]


class Confirmation(BaseModel):
    """Starting and stopping move money: the caller says so explicitly."""

    confirm: Literal[True] = Field(description="must be true")


class ParamsUpdate(BaseModel):
    params: dict[str, Any] = Field(description="the strategy's parameters; see its schema")


@router.get(
    "",
    summary="Every strategy that can run, with its parameters and their schema",
    responses=answers(list[StrategyInfo]),
)
async def catalog(client: ClientDep) -> Any:
    return DomainJSON(await client.strategies())


@router.get(
    "/status",
    summary="The running strategy (or the last one), its state and notices",
    responses=answers(StrategyStatus),
)
async def status(client: ClientDep) -> Any:
    return DomainJSON(await client.strategy_status())


@router.get("/triggers", summary="Latest triggers, newest first", responses=answers(list[Trigger]))
async def triggers(
    client: ClientDep,
    name: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    return DomainJSON(await client.triggers(name, limit))


@router.get(
    "/{name}/params",
    summary="A strategy's stored parameters and their schema",
    responses={**answers(StrategyParams), **refused(404, "No strategy with that name")},
)
async def params(name: str, client: ClientDep) -> Any:
    for info in await client.strategies():
        if info.name == name:
            return {"name": name, "params": info.params, "schema": info.params_schema}
    raise HTTPException(404, f"no strategy named {name[:64]!r}")


@router.put(
    "/{name}/params",
    summary="Store new parameters (they take effect at the next start)",
    responses=answers(ParamsStored),
)
async def update_params(name: str, body: ParamsUpdate, client: ClientDep, actor: ActorDep) -> Any:
    try:
        stored = await client.update_params(name, body.params, actor)
    except ControlRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return DomainJSON(stored)


@router.post(
    "/{name}/start",
    summary="Start a strategy (one at a time)",
    responses={
        **answers(StrategyStatus),
        **refused(409, "Not now: another runs, trading is halted, or its parameters fail"),
    },
)
async def start(name: str, body: Confirmation, client: ClientDep, actor: ActorDep) -> Any:
    try:
        result = await client.start_strategy(name, actor)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return DomainJSON(result)


@router.post(
    "/stop",
    summary="Stop the running strategy and cancel its working orders",
    responses=answers(StrategyStatus),
)
async def stop(body: Confirmation, client: ClientDep, actor: ActorDep) -> Any:
    return DomainJSON(await client.stop_strategy(actor))


class HandOver(BaseModel):
    """Lots of the account to make a strategy's own position."""

    model_config = ConfigDict(extra="forbid")  # money moves: nothing is silently dropped

    name: Name | None = Field(None, description="the strategy; the running one when absent")
    symbol: Annotated[str, Field(pattern=r"^[a-z]{1,2}\d{3,4}$", examples=["au2612"])]
    direction: Direction
    volume: Annotated[int, Field(gt=0, le=10_000, strict=True)]
    confirm: Literal[True] = Field(description="must be true")


@router.post(
    "/hand-over",
    summary="Hand a strategy lots of the account, which it then owns and may close",
    responses={
        **answers(Handover),
        **refused(409, "Not those lots: not held, or owned or being closed already"),
    },
)
async def hand_over(body: HandOver, client: ClientDep, actor: ActorDep) -> Any:
    try:
        handover = await client.hand_over(
            body.name, body.symbol, body.direction, body.volume, actor
        )
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return DomainJSON(handover)
