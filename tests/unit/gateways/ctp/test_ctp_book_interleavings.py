"""Any interleaving of CTP's order and trade reports for the same orders gives one book."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openctp_ctp import tdapi

from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import OrderStatus
from arbig.gateways.ctp.book import TraderBook
from arbig.gateways.ctp.bridge import Fields, copy_fields


def order_report(ref: str, sys_id: str, status: str, traded: int, volume: int) -> Fields:
    struct = tdapi.CThostFtdcOrderField()
    for name, value in {
        "InstrumentID": "au2606",
        "ExchangeID": "SHFE",
        "OrderRef": ref,
        "FrontID": 1,
        "SessionID": 100,
        "Direction": "0",
        "CombOffsetFlag": "0",
        "OrderPriceType": "2",
        "LimitPrice": 912.0,
        "VolumeTotalOriginal": volume,
        "VolumeTraded": traded,
        "OrderStatus": status,
        "OrderSubmitStatus": "3" if sys_id else "0",
        "OrderSysID": sys_id,
        "TradingDay": "20261203",
        "InsertTime": "10:00:00",
    }.items():
        setattr(struct, name, value)
    fields = copy_fields(struct)
    assert fields is not None
    return fields


def trade_report(sys_id: str, trade_id: str, volume: int) -> Fields:
    struct = tdapi.CThostFtdcTradeField()
    for name, value in {
        "InstrumentID": "au2606",
        "ExchangeID": "SHFE",
        "TradeID": trade_id,
        "OrderSysID": sys_id,
        "Direction": "0",
        "OffsetFlag": "0",
        "Price": 912.0,
        "Volume": volume,
        "TradeTime": "10:00:01",
        "TradingDay": "20261203",
    }.items():
        setattr(struct, name, value)
    fields = copy_fields(struct)
    assert fields is not None
    return fields


def recorded_day() -> list[tuple[str, Fields]]:
    """Three orders as CTP reports them, each report once: one fills in two parts,
    one is partly filled then cancelled, one is refused by the exchange."""
    return [
        ("order", order_report("1", "", "a", 0, 3)),
        ("order", order_report("1", "11", "3", 0, 3)),
        ("trade", trade_report("11", "101", 1)),
        ("order", order_report("1", "11", "1", 1, 3)),
        ("trade", trade_report("11", "102", 2)),
        ("order", order_report("1", "11", "0", 3, 3)),
        ("order", order_report("2", "12", "3", 0, 2)),
        ("trade", trade_report("12", "103", 1)),
        ("order", order_report("2", "12", "1", 1, 2)),
        ("order", order_report("2", "12", "5", 1, 2)),
        ("order", order_report("3", "", "a", 0, 1)),
        ("order", order_report("3", "", "5", 0, 1) | {"OrderSubmitStatus": "4"}),
    ]


def book_after(reports: list[tuple[str, Fields]]) -> dict[str, Any]:
    book = TraderBook(
        TradingCalendar.gold(), lambda *_: Decimal(0), lambda: datetime(2026, 12, 3, 2, tzinfo=UTC)
    )
    taken: list[str] = []
    for kind, fields in reports:
        if kind == "order":
            _, released = book.on_order(fields)
            taken += [trade.trade_id for trade in released]
        else:
            trade = book.on_trade(fields)
            taken += [trade.trade_id] if trade is not None else []
    assert len(taken) == len(set(taken))  # no trade pushed twice
    return {
        "orders": {oid: (o.status, o.traded) for oid, o in book.orders.items()},
        "trades": {tid: (t.order_id, t.volume) for tid, t in book.trades.items()},
        "waiting": book.waiting_trades,
    }


EXPECTED = {
    "orders": {
        "20261203.1.100.1": (OrderStatus.ALL_TRADED, 3),
        "20261203.1.100.2": (OrderStatus.CANCELLED, 1),
        "20261203.1.100.3": (OrderStatus.REJECTED, 0),
    },
    "trades": {
        "20261203.SHFE.101.0": ("20261203.1.100.1", 1),
        "20261203.SHFE.102.0": ("20261203.1.100.1", 2),
        "20261203.SHFE.103.0": ("20261203.1.100.2", 1),
    },
    "waiting": 0,
}


def test_the_recorded_order_gives_the_expected_book() -> None:
    assert book_after(recorded_day()) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(st.permutations(recorded_day()), st.lists(st.integers(0, 11), max_size=6))
def test_any_interleaving_and_any_replays_give_the_same_book(
    reports: list[tuple[str, Fields]], replayed: list[int]
) -> None:
    day = recorded_day()
    assert book_after(reports + [day[i] for i in replayed]) == EXPECTED
