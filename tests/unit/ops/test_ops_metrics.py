"""The metric families: what the kernel's events and parts become at a scrape."""

import logging
import re
from datetime import timedelta

from opskit import SYMBOL, Statuses, Store, Writer, account, order, tick, trade
from prometheus_client.parser import text_string_to_metric_families

from arbig.api.trading import StrategyStatus, TradingStatus
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Offset, OrderStatus, Side, TradingState
from arbig.domain.reconcile import MoneyReconciliation
from arbig.engine.bus import EventBus, EventType
from arbig.engine.hygiene import TickFilter
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.observe import KernelObserver, Sources, refusal_reason
from arbig.testkit import MONDAY_10AM
from arbig.web.hub import Hub
from arbig.web.metrics import HubCollector

SAMPLE = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def rig(
    writer: Writer | None = None,
    statuses: Statuses | None = None,
    money: MoneyReconciliation | None = None,
) -> tuple[Metrics, EventBus, KernelObserver, TickFilter]:
    metrics = Metrics()
    bus = EventBus()
    calendar = TradingCalendar.gold([])
    tick_filter = TickFilter(calendar)
    controls = statuses or Statuses()
    sources = Sources(
        "sim",
        writer or Writer(),
        Store(),
        tick_filter,
        controls,
        calendar,
        redis=True,
        money=lambda: money,
    )
    observer = KernelObserver(
        bus,
        sources,
        EquityWatch(),
        gateway_connected=True,
        wall_clock=lambda: (MONDAY_10AM + timedelta(seconds=2)).timestamp(),
    )
    observer.attach()
    metrics.register(observer)
    metrics.register(HubCollector(Hub()))
    return metrics, bus, observer, tick_filter


def scrape(metrics: Metrics) -> SAMPLE:
    found: SAMPLE = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_ticks_received_count_the_dropped_too_and_drops_name_their_reason() -> None:
    metrics, bus, _, tick_filter = rig()
    for _ in range(3):
        bus.publish(EventType.TICK, tick())
    assert not tick_filter.accept(tick("0"), MONDAY_10AM)
    found = scrape(metrics)
    assert found["arbig_ticks_received_total", (("contract", SYMBOL),)] == 4
    assert found["arbig_ticks_dropped_total", (("contract", SYMBOL), ("reason", "bad_price"))] == 1
    assert found["arbig_tick_age_seconds", (("contract", SYMBOL),)] == 2.0
    assert found["arbig_market_session_open", ()] in (0.0, 1.0)


def test_orders_count_once_they_end_and_refusals_by_their_rule() -> None:
    metrics, bus, _, _ = rig()
    bus.publish(EventType.ORDER, order(OrderStatus.NOT_TRADED, order_id="A"))
    bus.publish(EventType.ORDER, order(OrderStatus.ALL_TRADED, order_id="A"))
    bus.publish(EventType.ORDER, order(OrderStatus.REJECTED, order_id="B", reason="max_position:"))
    bus.publish(EventType.ORDER, order(OrderStatus.REJECTED, order_id="C", reason="broker: no"))
    found = scrape(metrics)
    assert found["arbig_orders_total", (("outcome", "all_traded"),)] == 1
    assert found["arbig_orders_total", (("outcome", "rejected"),)] == 2
    assert found["arbig_orders_total", (("outcome", "cancelled"),)] == 0
    assert found["arbig_order_refusals_total", (("reason", "max_position"),)] == 1
    assert found["arbig_order_refusals_total", (("reason", "other"),)] == 1


def test_refusal_reasons_are_a_bounded_set() -> None:
    assert refusal_reason("margin: the order needs 1") == "margin"
    assert refusal_reason("trading halted: positions differ") == "halted"
    assert refusal_reason("the database is behind (9 writes queued)") == "database_behind"
    assert refusal_reason("order 123456 unknown: anything") == "other"
    assert refusal_reason(None) == "other"


def test_trades_account_and_the_days_drawdown() -> None:
    metrics, bus, _, _ = rig()
    bus.publish(EventType.TICK, tick())
    bus.publish(EventType.ACCOUNT, account("1000000", margin="92000"))
    bus.publish(EventType.ACCOUNT, account("1010000", margin="92000"))
    bus.publish(EventType.TRADE, trade("T1", side=Side.SELL, offset=Offset.CLOSE))
    bus.publish(EventType.ACCOUNT, account("959500", realized="-50000", commission="10"))
    found = scrape(metrics)
    assert found["arbig_trades_total", (("contract", SYMBOL), ("side", "sell"))] == 1
    assert found["arbig_traded_lots_total", (("contract", SYMBOL), ("side", "sell"))] == 1
    assert found["arbig_account_balance_yuan", ()] == 959500
    assert found["arbig_realized_pnl_yuan", ()] == -50000
    assert found["arbig_day_pnl_yuan", ()] == -40500
    assert round(found["arbig_account_drawdown_ratio", ()], 4) == round(50500 / 1010000, 4)
    assert found["arbig_losing_trades_streak", ()] == 1


def test_components_report_the_writer_gateway_and_redis() -> None:
    metrics, bus, _, _ = rig(Writer(queue_depth=7, saturated=True, healthy=False, committed=3))
    bus.publish(EventType.SYSTEM, {"gateway": False, "reason": "front disconnected"})
    found = scrape(metrics)
    assert found["arbig_writer_queue_depth", ()] == 7
    assert found["arbig_writer_saturated", ()] == 1
    assert found["arbig_writer_committed_rows_total", ()] == 3
    assert found["arbig_database_up", ()] == 0
    assert found["arbig_redis_up", ()] == 1
    assert found["arbig_gateway_connected", (("gateway", "sim"),)] == 0


def test_warnings_and_errors_are_counted_by_level() -> None:
    metrics = Metrics()
    logger = logging.getLogger("arbig.test.ops")
    # its own level: a command run in this process before (`arbig backtest`) may have
    # set the root logger's to error
    logger.setLevel(logging.INFO)
    handler = metrics.log_handler()
    logger.addHandler(handler)
    try:
        logger.warning("one")
        logger.error("two")
        logger.info("not counted")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    found = scrape(metrics)
    assert found["arbig_log_messages_total", (("level", "warning"),)] == 1
    assert found["arbig_log_messages_total", (("level", "error"),)] == 1


def test_names_follow_prometheus_conventions() -> None:
    metrics, bus, _, _ = rig()
    bus.publish(EventType.TICK, tick())
    bus.publish(EventType.ACCOUNT, account("1000000"))
    families = list(text_string_to_metric_families(metrics.exposition().decode()))
    names = {f.name for f in families if f.name.startswith("arbig_")}
    assert len(names) > 25
    for family in families:
        assert re.fullmatch(r"[a-z_]+", family.name), family.name
        for sample in family.samples:
            if family.type == "counter":
                assert sample.name.endswith(("_total", "_created")), sample.name
            assert not {"order_id", "topic", "trade_id"} & set(sample.labels), sample


def test_trading_and_strategy_states_are_one_hot() -> None:
    halted = TradingStatus(TradingState.HALTED, emergency=True, reason="operator")
    metrics, _, _, _ = rig(statuses=Statuses(halted, StrategyStatus("failed")))
    found = scrape(metrics)
    assert [found["arbig_trading_state", (("state", s),)] for s in TradingState] == [0, 0, 1]
    assert found["arbig_emergency_stop_engaged", ()] == 1
    assert found["arbig_strategy_state", (("state", "failed"),)] == 1
    assert found["arbig_strategy_state", (("state", "running"),)] == 0
