"""Each pre-trade rule refuses what it should and lets through what it should."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from corekit import SYMBOL, running
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arbig.config import RiskSettings
from arbig.domain.enums import Offset, OrderSource, OrderStatus, Side, TradingState
from arbig.engine.core import OrderRefused

TICK = Decimal("0.02")


async def test_a_refused_order_is_recorded_with_its_rule_and_raised_to_the_sender(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        with pytest.raises(OrderRefused, match=r"^volume: 11 lots, limit 1\.\.10$"):
            await rig.core.send_order(rig.request(volume=11))
        refused = [o for o in rig.core.oms.orders.values() if o.status is OrderStatus.REJECTED]
        assert len(refused) == 1
        assert refused[0].reject_reason.startswith("volume:")
        assert refused[0].source is OrderSource.OPERATOR
        assert rig.gateway_orders == []
        await rig.core.recorder.flush()


async def test_volumes_and_prices(tmp_path: Path) -> None:
    limits = RiskSettings(max_order_volume=5, max_ticks_from_market=10)
    async with running(tmp_path, risk=limits) as rig:
        risk, now = rig.controls.risk, rig.clock.now()
        tick = risk.last_tick(SYMBOL)
        assert tick is not None
        last = tick.last_price

        @settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(volume=st.integers(-5, 20), offset_ticks=st.integers(-40, 40))
        def check(volume: int, offset_ticks: int) -> None:
            price = last + offset_ticks * TICK
            reason = risk.refusal(rig.request(price=price, volume=volume), now)
            if not 1 <= volume <= 5:
                assert reason is not None and reason.startswith("volume:")
            elif abs(offset_ticks) > 10:
                assert reason is not None and reason.startswith("price_distance:")
            else:
                assert reason is None

        check()

        @settings(max_examples=100)
        @given(mils=st.integers(1, 19))
        def off_tick(mils: int) -> None:
            price = last + Decimal(mils) / 1000  # never a multiple of 0.02
            reason = risk.refusal(rig.request(price=price), now)
            assert reason is not None and reason.startswith("price_tick:")

        off_tick()


async def test_limit_band(tmp_path: Path) -> None:
    async with running(tmp_path, risk=RiskSettings(max_ticks_from_market=100_000)) as rig:
        tick = rig.controls.risk.last_tick(SYMBOL)
        assert tick is not None
        above = rig.request(price=tick.limit_up + TICK)
        assert (rig.controls.risk.refusal(above, rig.clock.now()) or "").startswith("limit_band:")
        assert rig.controls.risk.refusal(rig.request(price=tick.limit_up), rig.clock.now()) is None


async def test_max_position_counts_held_and_working_lots(tmp_path: Path) -> None:
    async with running(tmp_path, risk=RiskSettings(max_position=3)) as rig:
        await rig.core.send_order(rig.request(volume=2))
        await rig.tick(2)
        risk = rig.controls.risk
        assert risk.refusal(rig.request(volume=1), rig.clock.now()) is None
        reason = risk.refusal(rig.request(volume=2), rig.clock.now())
        assert reason is not None and reason.startswith("max_position: long au2612 would reach 4")
        # closing is never limited by the position limit
        close = rig.request(Side.SELL, volume=2, offset=Offset.CLOSE_TODAY)
        assert risk.refusal(close, rig.clock.now()) is None


async def test_closing_lots_not_held_is_refused_before_the_answer(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        nothing = rig.request(Side.SELL, volume=1, offset=Offset.CLOSE_YESTERDAY)
        with pytest.raises(OrderRefused, match="not_held: close_yesterday 1 long"):
            await rig.core.send_order(nothing)
        await rig.core.send_order(rig.request(volume=2))
        await rig.tick(2)
        risk = rig.controls.risk
        too_many = rig.request(Side.SELL, volume=3, offset=Offset.CLOSE_TODAY)
        reason = risk.refusal(too_many, rig.clock.now())
        assert reason is not None and reason.endswith("free to close: 0 yesterday's, 2 today's")
        yesterdays = rig.request(Side.SELL, volume=1, offset=Offset.CLOSE_YESTERDAY)
        assert risk.refusal(yesterdays, rig.clock.now()) is not None  # bought today
        today = rig.request(Side.SELL, volume=2, offset=Offset.CLOSE_TODAY)
        assert risk.refusal(today, rig.clock.now()) is None


async def test_working_orders_rate_limits_and_duplicates(tmp_path: Path) -> None:
    limits = RiskSettings(max_working_orders=2, max_orders_per_minute=3, duplicate_window_s=1)
    async with running(tmp_path, risk=limits) as rig:
        tick = rig.controls.risk.last_tick(SYMBOL)
        assert tick is not None
        low = tick.bid_price - 20 * TICK  # rests: never fills
        await rig.core.send_order(rig.request(price=low))
        with pytest.raises(OrderRefused, match=r"^duplicate: the same order was sent 0\.00s ago"):
            await rig.core.send_order(rig.request(price=low))
        await rig.core.send_order(rig.request(price=low - TICK))
        await rig.settle()
        with pytest.raises(OrderRefused, match=r"^working_orders: 2 working, limit 2"):
            await rig.core.send_order(rig.request(price=low - 2 * TICK))
        for order in rig.core.oms.active_orders():
            await rig.core.cancel_order(order.order_id)
        await rig.settle()
        await rig.core.send_order(rig.request(price=low - 3 * TICK))
        with pytest.raises(OrderRefused, match=r"^orders_per_minute: 3 orders in the last minute"):
            await rig.core.send_order(rig.request(price=low - 4 * TICK))
        rig.clock.advance(61)
        await rig.core.send_order(rig.request(price=low - 4 * TICK))


async def test_margin(tmp_path: Path) -> None:
    limits = RiskSettings(max_order_volume=100, max_position=100)
    async with running(tmp_path, risk=limits) as rig:
        # 1,000,000 capital; one lot at ~920 needs ~92,000 margin: eleven lots do not fit
        assert rig.controls.risk.refusal(rig.request(volume=10), rig.clock.now()) is None
        reason = rig.controls.risk.refusal(rig.request(volume=11), rig.clock.now())
        assert reason is not None and reason.startswith("margin: the order needs")


async def test_reducing_allows_only_closes_and_halted_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.core.send_order(rig.request(volume=1))
        await rig.tick(2)
        risk, now = rig.controls.risk, rig.clock.now()
        close = rig.request(Side.SELL, offset=Offset.CLOSE_TODAY)
        risk.state = TradingState.REDUCING
        assert (risk.refusal(rig.request(), now) or "").startswith("trading_state: trading is")
        assert risk.refusal(close, now) is None
        too_much = rig.request(Side.SELL, volume=2, offset=Offset.CLOSE_TODAY)
        assert risk.refusal(too_much, now) is not None
        # A plain close would not shrink today's lot: SHFE takes it for yesterday's.
        assert risk.refusal(rig.request(Side.SELL, offset=Offset.CLOSE), now) is not None
        risk.state = TradingState.HALTED
        assert (risk.refusal(close, now) or "").startswith("trading_state: trading is halted")
        flatten = rig.request(Side.SELL, offset=Offset.CLOSE_TODAY, source=OrderSource.RISK)
        assert risk.refusal(flatten, now) is None


async def test_sessions_are_checked_when_the_gateway_keeps_hours(tmp_path: Path) -> None:
    async with running(tmp_path, risk=RiskSettings(check_sessions=True)) as rig:
        risk = rig.controls.risk
        assert risk.refusal(rig.request(), rig.clock.now()) is None  # Monday 10:00
        lunch = rig.clock.now().replace(hour=4, minute=30)  # 12:30 in Shanghai
        assert (risk.refusal(rig.request(), lunch) or "").startswith("session:")


async def test_opening_in_the_delivery_month_is_refused_with_shfes_rule(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        risk = rig.controls.risk
        december = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
        refusal = risk.refusal(rig.request(Side.BUY), december)
        closing = risk.refusal(rig.request(Side.SELL, offset=Offset.CLOSE_TODAY), december)
        in_june = risk.refusal(rig.request(Side.BUY), rig.clock.now())
    assert refusal is not None and refusal.startswith("delivery_month: au2612 is in its")
    assert "individual accounts" in refusal
    assert closing is None or not closing.startswith("delivery_month")
    assert in_june is None or not in_june.startswith("delivery_month")
