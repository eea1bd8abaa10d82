"""Market data beyond quotes: 1-minute bar history, the main contract and the watchlist."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from arbig.api.market import ContractInfo, SwitchResult
from arbig.domain.bar import Bar
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.contract import ContractError
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import IsoTime, Watchlist, answers

router = APIRouter(tags=["market"])

Symbol = Annotated[str, Path(pattern=r"^[a-z]{1,2}\d{3,4}$", description="e.g. au2612")]
MAX_RANGE = timedelta(days=31)
DEFAULT_RANGE = timedelta(hours=4)


class ContractSwitch(BaseModel):
    """Switching the main contract changes what is traded: the caller confirms it."""

    symbol: Annotated[str, Field(min_length=1, max_length=16, examples=["au2702"])]
    confirm: Literal[True] = Field(description="must be true")


class WatchlistIn(BaseModel):
    symbols: Annotated[list[Annotated[str, Field(max_length=16)]], Field(max_length=20)]


@router.get(
    "/market/{symbol}/bars",
    summary="1-minute bars starting in [start, end)",
    responses=answers(list[Bar]),
)
async def bars(
    symbol: Symbol,
    client: ClientDep,
    start: Annotated[
        IsoTime | None,
        Query(description="ISO 8601 with a UTC offset; default end - 4 h"),
    ] = None,
    end: Annotated[
        IsoTime | None, Query(description="ISO 8601 with a UTC offset; default now")
    ] = None,
    current: Annotated[bool, Query(description="append the bar still being built")] = False,
) -> Any:
    until = end or datetime.now(EXCHANGE_TZ)
    since = start or until - DEFAULT_RANGE
    if since >= until:
        raise HTTPException(422, "start must be before end")
    if until - since > MAX_RANGE:
        raise HTTPException(422, f"at most {MAX_RANGE.days} days per request")
    return DomainJSON(await client.bars(symbol, since, until, include_current=current))


@router.get(
    "/contract",
    summary="The main contract, the watchlist and what is subscribed",
    responses=answers(ContractInfo),
)
async def contract(client: ClientDep) -> Any:
    return DomainJSON(await client.contract())


@router.put(
    "/contract",
    summary="Switch the main contract (saved; survives a restart)",
    responses=answers(SwitchResult),
)
async def switch_contract(body: ContractSwitch, client: ClientDep, actor: ActorDep) -> Any:
    try:
        result = await client.switch_main_contract(body.symbol.strip(), actor)
    except ContractError as exc:
        raise HTTPException(422, str(exc)) from None
    return DomainJSON(result)


@router.get(
    "/watchlist",
    summary="Contracts subscribed for quotes beside the main one",
    responses=answers(Watchlist),
)
async def watchlist(client: ClientDep) -> Any:
    return {"symbols": list(await client.watchlist())}


@router.put(
    "/watchlist",
    summary="Replace the watchlist (saved; survives a restart)",
    responses=answers(Watchlist),
)
async def set_watchlist(body: WatchlistIn, client: ClientDep, actor: ActorDep) -> Any:
    try:
        symbols = await client.set_watchlist(body.symbols, actor)
    except ContractError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"symbols": list(symbols)}
