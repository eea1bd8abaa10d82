"""Orders through the trader session: fills, cancels, refusals, reconnects, offsets."""

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from ctpkit import Events, eventually, make_session
from fakefront import FakeFront, Position
from ordersupport import buy_open, request

from arbig.domain.enums import Direction, Offset, OrderSource, OrderStatus, Side
from arbig.gateways.base import GatewayError
from arbig.gateways.ctp.trader import TraderSession


@pytest.fixture
async def front() -> AsyncIterator[FakeFront]:
    fake = FakeFront()
    yield fake
    fake.stop()


@pytest.fixture
async def session(front: FakeFront, tmp_path: Path) -> AsyncIterator[TraderSession]:
    events = Events()
    trader = make_session(front, tmp_path, events)
    trader.events = events  # type: ignore[attr-defined]
    trader.start()
    await eventually(lambda: trader.trading)
    yield trader
    await trader.close()


def events_of(session: TraderSession) -> Events:
    recorded: Events = session.events  # type: ignore[attr-defined]
    return recorded


async def settled(front: FakeFront) -> None:
    await front.drained()
    await eventually(lambda: True)


async def test_an_order_fills_in_two_parts(front: FakeFront, session: TraderSession) -> None:
    events = events_of(session)
    order = session.send_order(buy_open(volume=3))
    assert order.status is OrderStatus.SUBMITTING
    assert order.order_id == "20261203.1.100.8"  # the day, FrontID, SessionID, MaxOrderRef + 1
    sent = dict(front.requests)["order"]
    assert (sent["OrderRef"], sent["Direction"], sent["CombOffsetFlag"]) == ("8", "0", "0")
    assert (sent["LimitPrice"], sent["VolumeTotalOriginal"], sent["OrderPriceType"]) == (
        912.0,
        3,
        "2",
    )
    ctp_order = front.order("8")
    front.accept(ctp_order)
    front.fill(ctp_order, 1, 911.98)
    front.fill(ctp_order, 2, 912.0, time="21:05:00")
    await eventually(lambda: len(events.trades) == 2 and events.orders[-1].traded == 3)

    statuses = [(o.status, o.traded) for o in events.orders if o.order_id == order.order_id]
    assert statuses == [
        (OrderStatus.NOT_TRADED, 0),
        (OrderStatus.PART_TRADED, 1),
        (OrderStatus.ALL_TRADED, 3),
    ]
    final = events.last_order(order.order_id)
    assert (final.source, final.reference) == (OrderSource.STRATEGY, "ma_crossover")
    first, second = events.trades
    assert (first.order_id, first.price, first.volume, first.side, first.offset) == (
        order.order_id,
        Decimal("911.98"),
        1,
        Side.BUY,
        Offset.OPEN,
    )
    assert first.commission == Decimal("10.00")  # the broker's 10 yuan a lot
    assert first.datetime.isoformat() == "2026-12-03T10:01:02+08:00"
    # a night trade belongs to the trading day but happened the evening before
    assert second.datetime.isoformat() == "2026-12-02T21:05:00+08:00"
    assert second.trading_day.isoformat() == "2026-12-03"


async def test_a_cancel_names_the_order_by_its_exchange_number(
    front: FakeFront, session: TraderSession
) -> None:
    events = events_of(session)
    before = session.send_order(buy_open())
    session.cancel_order(before.order_id)  # not yet numbered: FrontID/SessionID/OrderRef
    early = [fields for name, fields in front.requests if name == "cancel"][-1]
    assert (early["FrontID"], early["SessionID"], early["OrderRef"], early["OrderSysID"]) == (
        1,
        100,
        "8",
        "",
    )
    front.accept(front.order("8"))
    await eventually(lambda: events.orders and events.orders[-1].status is OrderStatus.NOT_TRADED)
    session.cancel_order(before.order_id)
    late = [fields for name, fields in front.requests if name == "cancel"][-1]
    assert (late["ExchangeID"], late["OrderSysID"].strip(), late["ActionFlag"]) == (
        "SHFE",
        "9001",
        "0",
    )
    front.cancelled(front.order("8"))
    await eventually(lambda: events.orders[-1].status is OrderStatus.CANCELLED)
    with pytest.raises(GatewayError, match="already cancelled"):
        session.cancel_order(before.order_id)
    with pytest.raises(GatewayError, match="unknown order"):
        session.cancel_order("20261203.1.100.99")


async def test_an_order_the_front_refuses_is_rejected_with_the_error(
    front: FakeFront, session: TraderSession
) -> None:
    events = events_of(session)
    front.refuse_next_order = (31, "CTP:资金不足")
    order = session.send_order(buy_open(volume=50))
    await eventually(lambda: events.orders and events.orders[-1].status is OrderStatus.REJECTED)
    rejected = events.last_order(order.order_id)
    assert rejected.reject_reason == "refused by the broker: CTP error 31: CTP:资金不足"
    await settled(front)
    assert len([o for o in events.orders if o.order_id == order.order_id]) == 1  # once


async def test_an_order_the_exchange_refuses_after_the_front_took_it_is_rejected(
    front: FakeFront, session: TraderSession
) -> None:
    events = events_of(session)
    order = session.send_order(request(Side.SELL, Offset.CLOSE, volume=2))
    front.exchange_refuses(front.order("8"), "平仓量超过持仓量")
    await eventually(lambda: events.orders and events.orders[-1].status is OrderStatus.REJECTED)
    assert events.last_order(order.order_id).reject_reason == "平仓量超过持仓量"


async def test_a_disconnect_mid_order_then_the_replayed_day_books_each_trade_once(
    front: FakeFront, session: TraderSession
) -> None:
    events = events_of(session)
    order = session.send_order(buy_open(volume=2))
    ctp_order = front.order("8")
    front.accept(ctp_order)
    front.fill(ctp_order, 1, 912.0)
    await eventually(lambda: len(events.trades) == 1)

    front.disconnect()
    await eventually(lambda: not session.connected)
    assert events.connections[-1] == (
        False,
        "CTP trader front disconnected: network read failed",
    )
    with pytest.raises(GatewayError, match="not trading"):
        session.send_order(buy_open())
    # while the front was away the order filled, and one sent just before the drop was lost
    lost = session.book.record_sent("20261203.1.100.9", buy_open(), order.created_at)
    ctp_order.traded, ctp_order.status = 2, "0"
    front.trades.append(type(front.trades[0])("           2", ctp_order, 912.02, 1, "10:05:00"))

    front.reconnect()
    front.replay_private_topic()
    await eventually(lambda: session.trading)
    await settled(front)

    assert sorted(trade.trade_id for trade in events.trades) == [
        "20261203.SHFE.1.0",
        "20261203.SHFE.2.0",
    ]
    assert events.last_order(order.order_id).status is OrderStatus.ALL_TRADED
    assert events.last_order(lost.order_id).reject_reason == (
        "never reached the broker: the connection dropped as it was sent"
    )
    assert session.steps["orders"].detail.endswith("1 lost in the disconnect")
    assert "reconnected after" in events.connections[-1][1]
    # the new session numbers its orders under its own SessionID
    assert session.send_order(buy_open()).order_id == "20261203.1.101.8"


async def test_yesterdays_lots_close_with_close_yesterday_after_the_day_rolls(
    front: FakeFront, tmp_path: Path
) -> None:
    # Day one: two lots bought today.
    front.positions = [Position("au2606", "2", "1", 2, 2 * 1000 * 910.0)]
    events = Events()
    first = make_session(front, tmp_path, events)
    first.start()
    await eventually(lambda: first.trading)
    assert [(p.volume_today, p.volume_yesterday) for p in first.positions] == [(2, 0)]
    await first.close()

    # The next trading day (after the weekend): the broker lists them as history.
    second_front = FakeFront(
        trading_day="20261207",
        positions=[Position("au2606", "2", "2", 2, 2 * 1000 * 910.0)],
    )
    second = make_session(second_front, tmp_path, Events())
    second.start()
    await eventually(lambda: second.trading)
    leg = second.positions[0]
    assert (leg.direction, leg.volume_today, leg.volume_yesterday) == (Direction.LONG, 0, 2)
    second.send_order(request(Side.SELL, Offset.CLOSE_YESTERDAY, volume=1))
    second.send_order(request(Side.SELL, Offset.CLOSE_TODAY, volume=1))
    second.send_order(request(Side.SELL, Offset.CLOSE, volume=1))
    flags = [fields["CombOffsetFlag"] for name, fields in second_front.requests if name == "order"]
    assert flags == ["4", "3", "1"]
    assert second.send_order(buy_open()).order_id.startswith("20261207.")
    await second.close()
    second_front.stop()
