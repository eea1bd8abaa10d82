"""The trading core on the CTP gateway: the start-up reconciliation reads the broker's
book, and a disconnect in the middle of an order followed by the replayed day leaves
each trade in the core's book once."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from ctpkit import MarketData, ctp_settings, eventually
from fakefront import FakeFront, FrontTrade, Position
from ordersupport import buy_open

from arbig.api.errors import CashRefused
from arbig.clock import LiveClock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Direction, OrderStatus, Transfer
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.gateways.ctp.gateway import CtpGateway
from arbig.testkit import MemoryBook
from arbig.ticks.memory import MemoryTickStore


@asynccontextmanager
async def core_on(front: FakeFront, tmp_path: Path) -> AsyncIterator[TradingCore]:
    settings = Settings(main_contract="au2606", data_dir=tmp_path, ctp=ctp_settings())
    calendar = TradingCalendar.gold()
    clock = LiveClock()
    gateway = CtpGateway(
        settings,
        settings.contract_spec,
        calendar,
        clock,
        market_data=MarketData(),
        api_factory=front.api,
    )
    account = gateway.account()
    book = MemoryBook()
    core = TradingCore(
        account_id=account.account_id,
        capital=account.capital,
        main_contract=settings.main_contract,
        spec_for=gateway.live_spec_for(settings.contract_spec),  # as the runtime builds it
        gateway=gateway,
        recorder=book,
        source=book,
        tick_store=MemoryTickStore(),
        tick_filter=TickFilter(calendar, check_sessions=False),
        clock=clock,
        snapshot_interval_s=3600,
    )
    asked_before = core.spec("au2606")  # as replaying a stored book does, before connecting
    assert asked_before.margin_ratio == Decimal("0.10")  # the configured terms
    await core.start()
    try:
        yield core
    finally:
        await core.stop()


def long_volume(core: TradingCore) -> int:
    return sum(
        leg.volume
        for leg in core.portfolio.positions.held()
        if leg.symbol == "au2606" and leg.direction is Direction.LONG
    )


async def test_the_start_up_reconciliation_reads_the_brokers_positions(tmp_path: Path) -> None:
    front = FakeFront(positions=[Position("au2606", "2", "2", 2, 2 * 1000 * 905.0)])
    try:
        async with core_on(front, tmp_path) as core:
            # the book holds nothing, the broker two lots: the core halts and says so
            assert core.halt_reason is not None
            assert "au2606" in core.halt_reason
    finally:
        front.stop()


async def test_a_disconnect_mid_order_leaves_each_trade_once_in_the_core(
    tmp_path: Path,
) -> None:
    front = FakeFront()
    try:
        async with core_on(front, tmp_path) as core:
            assert core.halt_reason is None
            order_id = await core.send_order(buy_open(volume=2))
            ctp_order = front.order("8")
            front.accept(ctp_order)
            front.fill(ctp_order, 1, 912.0)
            await eventually(lambda: long_volume(core) == 1)

            front.disconnect()
            await eventually(lambda: not core.gateway_connected)
            # the rest fills while the front is away
            ctp_order.traded, ctp_order.status = 2, "0"
            front.trades.append(FrontTrade("           2", ctp_order, 912.02, 1, "10:05:00"))
            front.reconnect()
            front.replay_private_topic()
            await eventually(lambda: long_volume(core) == 2, timeout_s=30)
            await front.drained()
            await eventually(lambda: core.oms.orders[order_id].status is OrderStatus.ALL_TRADED)

            assert long_volume(core) == 2
            assert len(core.oms.trade_ids) == 2
            assert core.oms.duplicate_trades == 0  # the gateway never pushed one twice
            leg = next(iter(core.portfolio.positions.held()))
            assert leg.avg_price == Decimal("912.01")
    finally:
        front.stop()


async def test_once_connected_the_core_counts_with_the_brokers_contract_terms(
    tmp_path: Path,
) -> None:
    front = FakeFront()
    try:
        async with core_on(front, tmp_path) as core:
            assert core.spec("au2606").margin_ratio == Decimal("0.12")  # the broker's rate
    finally:
        front.stop()


async def test_a_deposit_is_refused_on_a_live_brokers_account(tmp_path: Path) -> None:
    front = FakeFront()
    try:
        async with core_on(front, tmp_path) as core:
            before = core.portfolio.account.balance
            with pytest.raises(CashRefused, match="funded through the bank, not ARBIG"):
                await core.move_cash(Transfer.DEPOSIT, Decimal("50000.00"))
            assert core.portfolio.account.balance == before
    finally:
        front.stop()
