"""Turning a decision into SHFE order requests: marketable limit prices and close offsets.

Pure functions, shared by the strategy helpers and the emergency flattening.
"""

from collections.abc import Iterable
from decimal import Decimal

from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction, Offset, OrderSource, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg, free_to_close
from arbig.domain.tick import Tick


class PlanError(ValueError):
    """A decision that cannot become an order (no quote, nothing to close...)."""


def marketable_price(spec: ContractSpec, tick: Tick, side: Side, ticks_through: int) -> Decimal:
    """A limit price ``ticks_through`` ticks through the touch, on the grid, inside the band.

    SHFE refuses market orders; a buy priced above the ask (a sell below the bid)
    trades at once at the best price while the limit caps the slippage.
    """
    through = spec.price_tick * ticks_through
    if side is Side.BUY:
        touch = tick.ask_price if tick.ask_price > 0 else tick.last_price
        price = spec.snap_up(touch + through)
        if tick.limit_up > 0:
            price = min(price, spec.snap_down(tick.limit_up))
    else:
        touch = tick.bid_price if tick.bid_price > 0 else tick.last_price
        price = spec.snap_down(touch - through)
        if tick.limit_down > 0:
            price = max(price, spec.snap_up(tick.limit_down))
    if price <= 0:
        raise PlanError(
            f"no sensible {side} price from the quote {tick.bid_price}/{tick.ask_price}"
        )
    return price


def close_split(yesterday: int, today: int, volume: int) -> list[tuple[Offset, int]]:
    """Offsets and volumes closing ``volume`` lots: yesterday's first (the cheaper fee at
    SHFE for most products), then today's. Raises PlanError when fewer are held."""
    if volume <= 0:
        raise PlanError(f"cannot close {volume} lots")
    if volume > yesterday + today:
        raise PlanError(f"cannot close {volume} lots: {yesterday + today} closable")
    parts: list[tuple[Offset, int]] = []
    from_yesterday = min(yesterday, volume)
    if from_yesterday:
        parts.append((Offset.CLOSE_YESTERDAY, from_yesterday))
    if volume - from_yesterday:
        parts.append((Offset.CLOSE_TODAY, volume - from_yesterday))
    return parts


def close_requests(
    spec: ContractSpec,
    leg: PositionLeg,
    tick: Tick,
    working: Iterable[Order],
    *,
    volume: int | None = None,
    ticks_through: int,
    source: OrderSource,
    reference: str = "",
) -> list[OrderRequest]:
    """The marketable orders that close ``volume`` lots of ``leg`` (all that is free by
    default); an empty list when nothing is free to close."""
    yesterday, today = free_to_close(leg, working)
    wanted = yesterday + today if volume is None else volume
    if wanted == 0:
        return []
    side = Side.SELL if leg.direction is Direction.LONG else Side.BUY
    price = marketable_price(spec, tick, side, ticks_through)
    return [
        OrderRequest(
            symbol=leg.symbol,
            exchange=spec.exchange,
            side=side,
            offset=offset,
            price=price,
            volume=lots,
            source=source,
            reference=reference,
        )
        for offset, lots in close_split(yesterday, today, wanted)
    ]
