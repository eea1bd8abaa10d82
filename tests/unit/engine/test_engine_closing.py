"""CloseDesk: preview a close with a short-lived token, then confirm exactly that."""

import asyncio
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from enginekit import SYMBOL, TUESDAY_10AM, Rig, running

from arbig.api.closing import CloseResult
from arbig.api.errors import CloseError
from arbig.domain.enums import Direction, Offset, OrderStatus, Side
from arbig.engine.closing import CloseDesk


async def hold_two_yesterday_and_one_today(rig: Rig) -> None:
    await rig.fill(rig.marketable(volume=2))
    rig.clock.advance_to(TUESDAY_10AM)
    await rig.tick()  # the first snapshot of Tuesday rolls Monday's lots to yesterday
    await rig.fill(rig.marketable(volume=1))
    leg = rig.core.portfolio.positions.leg(SYMBOL, Direction.LONG)
    assert (leg.volume_yesterday, leg.volume_today) == (2, 1)


async def confirm_while_the_market_ticks(rig: Rig, desk: CloseDesk, token: str) -> CloseResult:
    confirming = asyncio.create_task(desk.confirm(token))
    for _ in range(20):
        await rig.settle()
        if confirming.done():
            break
        await rig.tick()
    return await confirming


async def test_the_preview_closes_yesterdays_lots_first_then_todays(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await hold_two_yesterday_and_one_today(rig)

        preview = CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)

        assert (preview.symbol, preview.direction, preview.side) == (
            SYMBOL,
            Direction.LONG,
            Side.SELL,
        )
        assert preview.volume == 3
        assert [(p.offset, p.volume) for p in preview.plan] == [
            (Offset.CLOSE_YESTERDAY, 2),
            (Offset.CLOSE_TODAY, 1),
        ]


async def test_a_partial_close_takes_yesterdays_lots_only(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await hold_two_yesterday_and_one_today(rig)

        preview = CloseDesk(rig.core).preview(SYMBOL, Direction.LONG, volume=1)

        assert [(p.offset, p.volume) for p in preview.plan] == [(Offset.CLOSE_YESTERDAY, 1)]


async def test_a_close_of_todays_lots_only_is_close_today(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))

        preview = CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)

        assert [(p.offset, p.volume) for p in preview.plan] == [(Offset.CLOSE_TODAY, 2)]


async def test_a_short_is_closed_by_buying_through_the_ask(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(Side.SELL))
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None

        preview = CloseDesk(rig.core, ticks_through=5).preview(SYMBOL, Direction.SHORT)

        assert preview.side is Side.BUY
        [planned] = preview.plan
        assert planned.price == tick.ask_price + 5 * Decimal("0.02")


async def test_the_preview_states_the_expected_pnl_at_the_last_price(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await hold_two_yesterday_and_one_today(rig)
        fills = await rig.recorded_trades()

        preview = CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)

        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        assert preview.current_price == tick.last_price
        expected = sum(((tick.last_price - t.price) * t.volume * 1000 for t in fills), Decimal(0))
        assert preview.expected_pnl == expected.quantize(Decimal("0.01"))


async def test_a_preview_sends_nothing_and_leaves_the_book_alone(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))
        orders_before = await rig.gateway.query_orders()

        CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)

        assert await rig.gateway.query_orders() == orders_before
        assert rig.core.portfolio.positions.leg(SYMBOL, Direction.LONG).volume == 2


async def test_confirm_sends_the_plan_and_reports_filled(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await hold_two_yesterday_and_one_today(rig)
        desk = CloseDesk(rig.core)
        preview = desk.preview(SYMBOL, Direction.LONG)

        result = await confirm_while_the_market_ticks(rig, desk, preview.token)

        assert result.result == "filled"
        assert (result.volume, result.traded) == (3, 3)
        assert [(o.offset, o.volume, o.status) for o in result.orders] == [
            (Offset.CLOSE_YESTERDAY, 2, OrderStatus.ALL_TRADED),
            (Offset.CLOSE_TODAY, 1, OrderStatus.ALL_TRADED),
        ]
        assert all(o.price == preview.plan[0].price for o in result.orders)
        assert rig.core.portfolio.positions.leg(SYMBOL, Direction.LONG).volume == 0


async def test_a_token_is_single_use(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        desk = CloseDesk(rig.core)
        preview = desk.preview(SYMBOL, Direction.LONG)
        await confirm_while_the_market_ticks(rig, desk, preview.token)
        sent = len(await rig.gateway.query_orders())

        with pytest.raises(CloseError, match="unknown or expired confirmation token"):
            await desk.confirm(preview.token)
        assert len(await rig.gateway.query_orders()) == sent


async def test_a_token_expires_by_the_kernel_clock(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        desk = CloseDesk(rig.core, ttl_s=10)
        preview = desk.preview(SYMBOL, Direction.LONG)
        assert preview.expires_in_s == 10

        rig.clock.advance(10.5)

        with pytest.raises(CloseError, match="unknown or expired confirmation token"):
            await desk.confirm(preview.token)
        assert len(await rig.gateway.query_orders()) == 1  # the opening order only


async def test_an_unknown_token_is_refused(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        with pytest.raises(CloseError, match="preview the close again"):
            await CloseDesk(rig.core).confirm("made-up")


async def test_each_preview_gets_its_own_token(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        desk = CloseDesk(rig.core)

        first = desk.preview(SYMBOL, Direction.LONG)
        second = desk.preview(SYMBOL, Direction.LONG)

        assert first.token != second.token


async def test_there_is_nothing_to_close_without_a_position(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        with pytest.raises(CloseError, match="no long position in au2612"):
            CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)


async def test_a_close_cannot_be_priced_before_the_first_quote(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())

    async with running(tmp_path, warmup=0) as again:
        with pytest.raises(CloseError, match="no quote for au2612 yet"):
            CloseDesk(again.core).preview(SYMBOL, Direction.LONG)


async def test_a_close_of_more_than_is_held_is_refused(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))

        with pytest.raises(CloseError, match="cannot close 3 lots: 2 closable"):
            CloseDesk(rig.core).preview(SYMBOL, Direction.LONG, volume=3)


async def test_lots_already_in_a_working_close_are_not_offered_again(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        resting = rig.marketable(Side.SELL, volume=2, offset=Offset.CLOSE_TODAY)
        await rig.core.send_order(replace(resting, price=tick.ask_price + Decimal("5.00")))
        await rig.settle()

        with pytest.raises(CloseError, match="every lot of au2612 long is already in a working"):
            CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)


async def test_only_the_lots_not_in_a_working_close_are_offered(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        resting = rig.marketable(Side.SELL, volume=1, offset=Offset.CLOSE_TODAY)
        await rig.core.send_order(replace(resting, price=tick.ask_price + Decimal("5.00")))
        await rig.settle()

        preview = CloseDesk(rig.core).preview(SYMBOL, Direction.LONG)

        assert [(p.offset, p.volume) for p in preview.plan] == [(Offset.CLOSE_TODAY, 1)]


async def test_a_close_the_core_refuses_is_reported_rejected_with_the_reason(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        desk = CloseDesk(rig.core)
        preview = desk.preview(SYMBOL, Direction.LONG)
        rig.core.halt_reason = "operator pressed emergency stop"

        result = await desk.confirm(preview.token)

        assert result.result == "rejected"
        assert result.traded == 0
        assert "trading halted: operator pressed emergency stop" in result.message
        assert rig.core.portfolio.positions.leg(SYMBOL, Direction.LONG).volume == 1
