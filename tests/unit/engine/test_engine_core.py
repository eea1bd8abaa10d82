"""TradingCore: gateway in, book kept, events out (a real core on the seeded simulator)."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from enginekit import ACCOUNT, OTHER, SYMBOL, Rig, make_order, make_trade, running

from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, Side
from arbig.domain.order import OrderRequest
from arbig.engine.bus import EventType
from arbig.engine.core import OrderRefused
from arbig.storage import repository
from arbig.storage.writer import WriterBackpressure


def request(
    symbol: str = SYMBOL, price: str = "920.00", volume: int = 1, side: Side = Side.BUY
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        exchange=Exchange.SHFE,
        side=side,
        offset=Offset.OPEN,
        price=Decimal(price),
        volume=volume,
    )


def long_volume(rig: Rig, symbol: str = SYMBOL) -> int:
    return rig.core.portfolio.positions.leg(symbol, Direction.LONG).volume


# --- start-up ----------------------------------------------------------------------


async def test_start_connects_subscribes_the_main_contract_and_passes_its_ticks(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, warmup=0) as rig:
        assert rig.core.gateway_connected
        assert rig.core.subscribed == {SYMBOL}

        [tick] = await rig.tick()

        assert rig.core.last_tick(SYMBOL) == tick
        assert rig.of(EventType.TICK) == [tick]
        assert await rig.core.tick_store.latest(SYMBOL) == tick


async def test_start_rebuilds_the_book_from_recorded_trades(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))
        before = rig.core.portfolio.position_snapshots(rig.clock.now())

    async with running(tmp_path, warmup=0) as again:
        assert long_volume(again) == 2
        after = again.core.portfolio.position_snapshots(again.clock.now())
        assert [(p.volume, p.avg_price) for p in after] == [(p.volume, p.avg_price) for p in before]
        assert again.core.halt_reason is None


async def test_a_trade_replayed_by_the_gateway_at_start_is_recorded_once(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        [trade] = await rig.recorded_trades()

    # The simulator's books still hold the fill and report it again at start-up.
    async with running(tmp_path, warmup=0) as again:
        assert [t.trade_id for t in await again.gateway.query_trades()] == [trade.trade_id]
        assert [t.trade_id for t in await again.recorded_trades()] == [trade.trade_id]
        assert long_volume(again) == 1
        assert again.core.oms.duplicate_trades == 1


async def test_a_repeated_trade_id_is_recorded_once(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        [trade] = await rig.recorded_trades()

        rig.core.on_trade(trade)
        rig.core.on_trade(replace(trade, price=trade.price + 1))

        assert await rig.recorded_trades() == [trade]
        assert rig.of(EventType.TRADE) == [trade]
        assert long_volume(rig) == 1


async def test_fills_missed_while_down_are_recorded_at_start(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        [trade] = await rig.recorded_trades()
    # The database is lost (or the crash came between the fill and its commit);
    # the broker's books still hold the fill.
    (tmp_path / "arbig.sqlite3").unlink()

    async with running(tmp_path, warmup=0) as again:
        assert [t.trade_id for t in await again.recorded_trades()] == [trade.trade_id]
        assert long_volume(again) == 1
        assert again.core.halt_reason is None


async def test_a_book_the_broker_cannot_explain_halts_trading(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())

    # A fresh simulator account knows no position, but the database holds a long.
    async with running(tmp_path, sim_state="other-sim.json") as again:
        assert again.core.halt_reason is not None
        assert "positions differ from the broker's" in again.core.halt_reason

        with pytest.raises(OrderRefused, match="trading halted: positions differ"):
            await again.core.send_order(again.marketable())
        assert await again.gateway.query_orders() == []


async def test_a_halted_core_refuses_closes_too(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())

    async with running(tmp_path, sim_state="other-sim.json") as again:
        close = again.marketable(Side.SELL, offset=Offset.CLOSE_TODAY)
        with pytest.raises(OrderRefused, match="trading halted"):
            await again.core.send_order(close)


# --- ticks -------------------------------------------------------------------------


async def test_a_dropped_tick_is_neither_stored_nor_published_nor_marks_the_book(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        good = rig.core.last_tick(SYMBOL)
        assert good is not None
        unrealized = rig.core.portfolio.account.unrealized_pnl
        published = len(rig.of(EventType.TICK))
        stale = replace(
            good, datetime=good.datetime - timedelta(hours=1), last_price=Decimal("800.00")
        )

        rig.core.on_tick(stale)

        assert rig.core.last_tick(SYMBOL) == good
        assert await rig.core.tick_store.latest(SYMBOL) == good
        assert len(rig.of(EventType.TICK)) == published
        assert rig.core.portfolio.account.unrealized_pnl == unrealized
        assert rig.core.tick_filter.dropped["clock_skew"] == 1


async def test_a_tick_that_moves_a_held_position_publishes_positions_and_account(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(volume=2))
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        rig.events.clear()

        rig.core.on_tick(replace(tick, last_price=tick.last_price + Decimal("1.00")))

        [positions] = rig.of(EventType.POSITIONS)
        [account] = rig.of(EventType.ACCOUNT)
        leg = rig.core.portfolio.positions.leg(SYMBOL, Direction.LONG)
        expected = (tick.last_price + 1 - leg.avg_price) * 2 * 1000
        assert positions[0].unrealized_pnl == expected.quantize(Decimal("0.01"))
        assert account.unrealized_pnl == expected.quantize(Decimal("0.01"))


# --- orders ------------------------------------------------------------------------


async def test_an_order_that_passes_the_checks_reaches_the_gateway(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        order_id = await rig.fill(rig.marketable())

        assert rig.core.oms.orders[order_id].status is OrderStatus.ALL_TRADED
        assert [o.order_id for o in await rig.gateway.query_orders()] == [order_id]
        assert long_volume(rig) == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (request(volume=0), "volume must be at least 1, got 0"),
        (request(volume=-2), "volume must be at least 1, got -2"),
        (request(volume=501), "volume 501 exceeds 500 per order"),
        (request(price="920.01"), "price 920.01 is not a positive multiple of the tick 0.02"),
        (request(price="0"), "price 0 is not a positive multiple of the tick 0.02"),
        (request(price="-920.00"), "price -920.00 is not a positive multiple"),
        (request(symbol=OTHER), "unknown symbol 'au2702': not subscribed"),
        (
            request(symbol="ag2612"),
            "unknown symbol 'ag2612': product 'ag' is not in the contract table; known: au (gold)",
        ),
        (request(symbol="AU2612"), "'AU2612' is not a contract symbol: expected a product"),
        (request(symbol="au2613"), "'au2613': month 13 does not exist"),
    ],
    ids=[
        "zero-volume",
        "negative-volume",
        "too-many-lots",
        "off-tick",
        "zero-price",
        "negative-price",
        "unsubscribed",
        "not-gold",
        "upper-case",
        "no-such-month",
    ],
)
async def test_a_request_no_exchange_would_take_is_refused_with_the_reason(
    tmp_path: Path, bad: OrderRequest, reason: str
) -> None:
    async with running(tmp_path) as rig:
        with pytest.raises(OrderRefused) as refused:
            await rig.core.send_order(bad)

        assert reason in str(refused.value)
        assert await rig.gateway.query_orders() == []
        # ...and the refusal is on the book as a rejected order with that reason.
        [recorded] = rig.core.oms.orders.values()
        assert recorded.status is OrderStatus.REJECTED
        assert reason in recorded.reject_reason
        assert recorded.order_id.startswith("R")


async def test_pre_trade_checks_refuse_with_their_own_reason(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        rig.core.add_pre_trade_check(lambda r: "too big" if r.volume > 1 else None)

        with pytest.raises(OrderRefused, match="too big"):
            await rig.core.send_order(rig.marketable(volume=2))
        await rig.fill(rig.marketable(volume=1))

        assert [o.volume for o in await rig.gateway.query_orders()] == [1]


async def test_cancel_reaches_the_gateway_and_the_order_ends_cancelled(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        far = request(price=str(tick.bid_price - Decimal("5.00")))
        order_id = await rig.core.send_order(far)
        await rig.settle()

        await rig.core.cancel_order(order_id)
        await rig.settle()

        assert rig.core.oms.orders[order_id].status is OrderStatus.CANCELLED
        statuses = [o.status for o in rig.of(EventType.ORDER) if o.order_id == order_id]
        assert statuses == [OrderStatus.NOT_TRADED, OrderStatus.CANCELLED]


# --- main contract -----------------------------------------------------------------


async def test_switching_the_main_contract_drops_the_old_one_when_nothing_is_held(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        previous = await rig.core.switch_main_contract(OTHER)

        assert previous == SYMBOL
        assert rig.core.main_contract == OTHER
        assert rig.core.subscribed == {OTHER}
        assert await rig.core.tick_store.latest(SYMBOL) is None
        assert {"main_contract": OTHER, "previous": SYMBOL} in rig.of(EventType.SYSTEM)
        [tick] = await rig.tick()
        assert tick.symbol == OTHER


async def test_switching_the_main_contract_keeps_a_contract_with_a_position_subscribed(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())

        await rig.core.switch_main_contract(OTHER)

        assert rig.core.main_contract == OTHER
        assert rig.core.subscribed == {SYMBOL, OTHER}
        # ... so that the position can still be closed.
        await rig.fill(rig.marketable(Side.SELL, offset=Offset.CLOSE_TODAY))
        assert long_volume(rig) == 0


async def test_switching_the_main_contract_keeps_a_contract_with_a_working_order(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        tick = rig.core.last_tick(SYMBOL)
        assert tick is not None
        await rig.core.send_order(request(price=str(tick.bid_price - Decimal("5.00"))))
        await rig.settle()

        await rig.core.switch_main_contract(OTHER)

        assert rig.core.subscribed == {SYMBOL, OTHER}


async def test_switching_to_the_current_main_contract_changes_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        assert await rig.core.switch_main_contract(SYMBOL) == SYMBOL

        assert rig.core.subscribed == {SYMBOL}
        assert not any("main_contract" in event for event in rig.of(EventType.SYSTEM))


# --- backpressure (docs/storage.md) ----------------------------------------------------


def fill_the_writer(rig: Rig) -> None:
    """Stop nothing, drain nothing: queue equity points until the writer refuses one."""
    account = rig.core.portfolio.account_snapshot(rig.clock.now())
    with pytest.raises(WriterBackpressure):
        for _ in range(rig.writer.queue_size + 1):
            rig.writer.equity(account)
    assert rig.writer.queue_depth == rig.writer.queue_size


async def test_a_fill_arriving_at_a_full_writer_is_published_booked_and_recorded(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, writer_queue=20) as rig:
        await rig.writer.stop()  # the database "away": nothing drains
        fill_the_writer(rig)
        trade = make_trade("T-full", at=rig.clock.now())

        rig.core.on_trade(trade)

        assert trade in rig.of(EventType.TRADE)
        assert long_volume(rig) == 1
        assert rig.of(EventType.POSITIONS)[-1][0].volume == 1
        await rig.writer.start()
        assert trade.trade_id in [t.trade_id for t in await rig.recorded_trades()]


async def test_an_order_report_arriving_at_a_full_writer_is_published_and_recorded(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, writer_queue=20) as rig:
        await rig.writer.stop()
        fill_the_writer(rig)
        order = replace(make_order(), created_at=rig.clock.now(), updated_at=rig.clock.now())

        rig.core.on_order(order)

        assert order in rig.of(EventType.ORDER)
        await rig.writer.start()
        await rig.writer.flush()
        async with rig.sessions() as session:
            recorded = await repository.load_orders(session, ACCOUNT)
        assert [o.order_id for o in recorded] == [order.order_id]


async def test_new_positions_are_refused_while_the_writer_is_saturated_closes_pass(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, writer_queue=20) as rig:
        await rig.fill(rig.marketable())
        await rig.writer.stop()
        fill_the_writer(rig)

        with pytest.raises(OrderRefused, match="database is behind"):
            await rig.core.send_order(rig.marketable())
        close = rig.marketable(Side.SELL, offset=Offset.CLOSE_TODAY)
        assert await rig.core.send_order(close)
        await rig.writer.start()


async def test_new_positions_are_refused_while_the_oldest_write_waits_too_long(
    tmp_path: Path,
) -> None:
    # A database that never answers fills no queue quickly: the age of the oldest
    # queued write is what shows that the book is not being recorded.
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable())
        await rig.writer.stop()
        rig.writer.stall_s = 0.05
        rig.writer.equity(rig.core.portfolio.account_snapshot(rig.clock.now()))
        await asyncio.sleep(0.1)
        assert not rig.writer.saturated

        with pytest.raises(OrderRefused, match="no commit for"):
            await rig.core.send_order(rig.marketable())
        close = rig.marketable(Side.SELL, offset=Offset.CLOSE_TODAY)
        assert await rig.core.send_order(close)
        await rig.writer.start()


async def test_the_snapshot_timer_survives_a_failed_round(tmp_path: Path) -> None:
    async with running(tmp_path, writer_queue=20, snapshot_interval_s=1) as rig:
        await rig.writer.stop()
        fill_the_writer(rig)
        rig.clock.advance(10)  # ten rounds, each refused by the full writer
        assert rig.core.snapshots_skipped == 10
        await rig.writer.start()
        await rig.writer.flush()
        async with rig.sessions() as session:
            before = len(await repository.equity_curve(session, ACCOUNT, None, None, 10_000))

        rig.clock.advance(1)  # the timer still runs: the next round is recorded
        await rig.writer.flush()
        async with rig.sessions() as session:
            points = await repository.equity_curve(session, ACCOUNT, None, None, 10_000)
        assert len(points) == before + 1


# --- the book view (engine/book.py) -----------------------------------------------------


async def test_the_book_view_shows_what_the_core_holds_and_creates_nothing(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        book = rig.core.book
        assert book.leg(SYMBOL, Direction.SHORT) is None
        assert not book.exposed(SYMBOL)

        order_id = await rig.fill(rig.marketable(volume=2))

        leg = book.leg(SYMBOL, Direction.LONG)
        assert leg is not None and leg.volume == 2
        assert book.held() == [leg]
        assert book.exposed(SYMBOL) and not book.exposed(OTHER)
        assert book.leg(SYMBOL, Direction.SHORT) is None  # asking made no empty leg
        order = book.order(order_id)
        assert order is not None and order.status is OrderStatus.ALL_TRADED
        assert book.orders() == [order] and book.active_orders() == []
        assert book.last_tick(SYMBOL) == rig.core.last_tick(SYMBOL)
        [snapshot] = book.position_snapshots(rig.clock.now())
        assert (snapshot.direction, snapshot.volume) == (Direction.LONG, 2)
        assert book.account_snapshot(rig.clock.now()).margin == book.account.margin > 0
