"""Order management: late, repeated and out-of-order gateway reports."""

from enginekit import make_order, make_trade

from arbig.domain.enums import OrderStatus
from arbig.engine.oms import OrderManager


def test_a_new_order_is_recorded() -> None:
    oms = OrderManager()

    assert oms.update_order(make_order(OrderStatus.SUBMITTING))
    assert oms.orders["O1"].status is OrderStatus.SUBMITTING


def test_an_update_that_moves_forward_replaces_the_order() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.NOT_TRADED))

    assert oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1, seconds=1))
    assert oms.update_order(make_order(OrderStatus.PART_TRADED, traded=2, seconds=2))
    assert oms.update_order(make_order(OrderStatus.ALL_TRADED, traded=3, seconds=3))

    assert oms.orders["O1"].status is OrderStatus.ALL_TRADED
    assert oms.orders["O1"].traded == 3
    assert oms.ignored_updates == 0


def test_a_repeated_update_is_ignored_without_counting_as_stale() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1))

    assert not oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1))
    assert oms.ignored_updates == 0


def test_a_stale_update_does_not_move_the_status_backwards() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1, seconds=2))

    assert not oms.update_order(make_order(OrderStatus.NOT_TRADED, seconds=1))
    assert not oms.update_order(make_order(OrderStatus.SUBMITTING))

    assert oms.orders["O1"].status is OrderStatus.PART_TRADED
    assert oms.orders["O1"].traded == 1
    assert oms.ignored_updates == 2


def test_traded_volume_never_goes_backwards() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.PART_TRADED, traded=2))

    assert not oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1))

    assert oms.orders["O1"].traded == 2
    assert oms.ignored_updates == 1


def test_a_finished_order_never_reopens() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.ALL_TRADED, traded=3))

    assert not oms.update_order(make_order(OrderStatus.PART_TRADED, traded=2))
    assert not oms.update_order(make_order(OrderStatus.CANCELLED, traded=3))

    assert oms.orders["O1"].status is OrderStatus.ALL_TRADED


def test_a_cancelled_order_stays_cancelled() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.CANCELLED))

    assert not oms.update_order(make_order(OrderStatus.NOT_TRADED))

    assert oms.orders["O1"].status is OrderStatus.CANCELLED


def test_an_update_may_skip_states_the_gateway_never_reported() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.SUBMITTING))

    assert oms.update_order(make_order(OrderStatus.ALL_TRADED, traded=3))
    assert oms.orders["O1"].status is OrderStatus.ALL_TRADED


def test_orders_are_tracked_apart_by_id() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.ALL_TRADED, traded=3, order_id="O1"))

    assert oms.update_order(make_order(OrderStatus.NOT_TRADED, order_id="O2"))

    assert oms.orders["O1"].status is OrderStatus.ALL_TRADED
    assert oms.orders["O2"].status is OrderStatus.NOT_TRADED


def test_active_orders_are_the_ones_still_working() -> None:
    oms = OrderManager()
    oms.update_order(make_order(OrderStatus.NOT_TRADED, order_id="working"))
    oms.update_order(make_order(OrderStatus.PART_TRADED, traded=1, order_id="partly"))
    oms.update_order(make_order(OrderStatus.ALL_TRADED, traded=3, order_id="done"))
    oms.update_order(make_order(OrderStatus.CANCELLED, order_id="cancelled"))
    oms.update_order(make_order(OrderStatus.REJECTED, order_id="rejected"))

    assert sorted(o.order_id for o in oms.active_orders()) == ["partly", "working"]


def test_a_new_trade_id_is_recorded() -> None:
    oms = OrderManager()

    assert oms.add_trade(make_trade("T1"))
    assert oms.add_trade(make_trade("T2"))

    assert oms.trade_ids == {"T1", "T2"}


def test_a_repeated_trade_id_is_ignored_and_counted() -> None:
    oms = OrderManager()
    oms.add_trade(make_trade("T1"))

    assert not oms.add_trade(make_trade("T1", price="930.00"))

    assert oms.trade_ids == {"T1"}
    assert oms.duplicate_trades == 1
