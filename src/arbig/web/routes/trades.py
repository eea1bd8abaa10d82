"""Trade history, the daily summary and the statistics."""

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from arbig.api.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary
from arbig.domain.enums import Side
from arbig.domain.statistics import Statistics
from arbig.web.deps import ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import IsoDay, IsoTime, Page, answers

router = APIRouter(tags=["trades"])

CSV_LIMIT = 100_000


async def trade_filter(
    symbol: Annotated[str | None, Query(pattern=r"^[a-z]{1,2}\d{3,4}$")] = None,
    side: Side | None = None,
    since: Annotated[IsoTime | None, Query(description="trade time from (ISO 8601)")] = None,
    until: Annotated[IsoTime | None, Query(description="trade time before (ISO 8601)")] = None,
    trading_day: IsoDay | None = None,
    since_day: IsoDay | None = None,
    until_day: IsoDay | None = None,
) -> TradeFilter:
    if since and until and since >= until:
        raise HTTPException(422, "since must be before until")
    if since_day and until_day and since_day > until_day:
        raise HTTPException(422, "since_day must not be after until_day")
    return TradeFilter(symbol, side, since, until, trading_day, since_day, until_day)


Filters = Annotated[TradeFilter, Depends(trade_filter)]


@router.get(
    "/trades",
    summary="Recorded trades, newest first, a page at a time",
    responses=answers(Page[TradeRecord]),
)
async def trades(
    client: ClientDep,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    items, total = await client.trades(filters, limit=limit, offset=offset)
    return DomainJSON({"items": items, "total": total, "limit": limit, "offset": offset})


@router.get(
    "/trades.csv",
    summary="The matching trades as a CSV download",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def trades_csv(client: ClientDep, filters: Filters) -> Response:
    items, _ = await client.trades(filters, limit=CSV_LIMIT, offset=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "trade_id",
            "order_id",
            "symbol",
            "side",
            "offset",
            "price",
            "volume",
            "commission",
            "realized_pnl",
            "trading_day",
            "trade_time",
        ]
    )
    for item in items:
        t = item.trade
        writer.writerow(
            [
                t.trade_id,
                t.order_id,
                t.symbol,
                t.side,
                t.offset,
                t.price,
                t.volume,
                t.commission,
                item.realized_pnl,
                t.trading_day.isoformat(),
                t.datetime.isoformat(),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="arbig-trades.csv"'},
    )


@router.get(
    "/trades/daily",
    summary="Per trading day and symbol (the daily_trade_summary view)",
    responses=answers(list[DailySummary]),
)
async def daily(
    client: ClientDep, since_day: IsoDay | None = None, until_day: IsoDay | None = None
) -> Any:
    if since_day and until_day and since_day > until_day:
        raise HTTPException(422, "since_day must not be after until_day")
    return DomainJSON(await client.daily_summary(since_day, until_day))


@router.get(
    "/statistics",
    summary="P&L, win rate, profit factor, max drawdown, commission",
    responses=answers(Statistics),
)
async def statistics(client: ClientDep, filters: Filters) -> Any:
    return DomainJSON(await client.statistics(filters))


@router.get(
    "/strategies/triggers/summary",
    summary="Triggers per strategy and trading day, by action and result "
    "(the strategy_trigger_summary view)",
    responses=answers(list[TriggerSummary]),
)
async def trigger_summary(
    client: ClientDep,
    strategy: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] = None,
    since_day: IsoDay | None = None,
    until_day: IsoDay | None = None,
) -> Any:
    if since_day and until_day and since_day > until_day:
        raise HTTPException(422, "since_day must not be after until_day")
    return DomainJSON(await client.trigger_summary(strategy, since_day, until_day))
