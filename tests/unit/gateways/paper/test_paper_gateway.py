"""Paper trading: a recorded stream of real-format CTP snapshots (real
CThostFtdcDepthMarketDataField structs, sent from the API's own thread) through
CtpMarketData into PaperGateway, whose matching engine fills only when the quotes
cross, with the broker's margin and commission rates."""

from decimal import Decimal
from pathlib import Path

import pytest
from mdkit import DBL_MAX, SYMBOL, FakeMdApi, depth, until
from simkit import RecordingListener, request

from arbig.clock import DrivenClock
from arbig.config import Settings
from arbig.domain.broker_tables import BrokerTables, CommissionRate, MarginRate
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Offset, OrderStatus, Side
from arbig.domain.trade import Trade
from arbig.gateways.base import GatewayError, TradingAccount
from arbig.gateways.ctp.md import CtpMarketData, MdLogin, MdState
from arbig.gateways.paper import STATE_FILE_NAME, PaperGateway
from arbig.gateways.sim.state import load_state
from arbig.testkit import MONDAY_10AM

DAY = "20260601"  # Monday; the clock stands at 10:00 in Shanghai
TABLES = BrokerTables(
    margins={"au": MarginRate(long_by_money=Decimal("0.12"), short_by_money=Decimal("0.12"))},
    commissions={
        "au": CommissionRate(
            open_by_volume=Decimal("2"),
            open_by_money=Decimal("0.00001"),
            close_by_volume=Decimal("2"),
            close_today_by_volume=Decimal("0"),
        )
    },
)


def configured(symbol: str) -> ContractSpec:
    return Settings(main_contract=SYMBOL).contract_spec(symbol)


SPEC_FOR = TABLES.spec_for(configured)


def quote(clock: str, bid: float, ask: float, **fields: object) -> object:
    return depth(f"10:00:{clock}", action_day=DAY, trading_day=DAY, bid=bid, ask=ask, **fields)


async def start(
    tmp_path: Path, clock: DrivenClock | None = None
) -> tuple[PaperGateway, FakeMdApi, RecordingListener]:
    clock = clock or DrivenClock(MONDAY_10AM)
    apis: list[FakeMdApi] = []

    def factory(flow_dir: str) -> FakeMdApi:
        apis.append(FakeMdApi(flow_dir, trading_day=DAY))
        return apis[-1]

    calendar = TradingCalendar.gold()
    feed = CtpMarketData(
        ["tcp://127.0.0.1:1"],
        MdLogin(),
        tmp_path / "md",
        SPEC_FOR,
        calendar,
        clock,
        api_factory=factory,
    )
    gateway = PaperGateway(
        TradingAccount("paper-001", Decimal("1000000")),
        feed,
        SPEC_FOR,
        calendar,
        tmp_path / STATE_FILE_NAME,
        clock,
    )
    listener = RecordingListener()
    gateway.set_listener(listener)
    await gateway.connect()
    await gateway.subscribe(SYMBOL)
    await until(lambda: feed.state is MdState.READY and apis[0].subscribed == [[SYMBOL]])
    return gateway, apis[0], listener


async def test_orders_fill_only_when_the_quotes_cross(tmp_path: Path) -> None:
    gateway, api, listener = await start(tmp_path)
    api.push(quote("00", bid=612.34, ask=612.38))
    await until(lambda: len(listener.of("tick")) == 1)

    order_id = await gateway.send_order(request(Side.BUY, "612.30", 2))
    await until(lambda: len(listener.of("order")) == 1)
    assert listener.of("order")[0].status is OrderStatus.NOT_TRADED

    api.push(
        quote("01", bid=612.26, ask=612.32),  # the ask stays above the limit
        quote("02", bid=612.00, ask=612.20, last=DBL_MAX),  # junk: no last price
        quote("03", bid=612.26, ask=612.30, ask_volume=1),  # one lot offered at the limit
        quote("04", bid=612.20, ask=612.28, ask_volume=5),  # through the limit
    )
    await until(lambda: len(listener.of("tick")) == 5)
    trades: list[Trade] = listener.of("trade")
    assert [(t.price, t.volume) for t in trades] == [
        (Decimal("612.30"), 1),
        (Decimal("612.28"), 1),
    ]
    assert all(t.order_id == order_id for t in trades)
    assert listener.of("order")[-1].status is OrderStatus.ALL_TRADED
    assert gateway.unmatched["bad_price"] == 1
    await gateway.close()


async def test_margin_and_commission_come_from_the_broker_tables(tmp_path: Path) -> None:
    gateway, api, listener = await start(tmp_path)
    api.push(quote("00", bid=612.34, ask=612.38, ask_volume=10))
    await until(lambda: len(listener.of("tick")) == 1)

    await gateway.send_order(request(Side.BUY, "612.38", 2))
    api.push(quote("01", bid=612.34, ask=612.38, ask_volume=10))
    await until(lambda: len(listener.of("trade")) == 1)
    trade: Trade = listener.of("trade")[0]
    # 2 yuan a lot plus 0.001 % of 612.38 * 2 lots * 1000 g
    assert trade.commission == Decimal("16.25")
    report = await gateway.query_account()
    # 12 % of the notional (the configured table says 10 %)
    assert report.margin == Decimal("146971.20")
    assert report.commission == Decimal("16.25")

    await gateway.send_order(request(Side.SELL, "612.34", 2, Offset.CLOSE_TODAY))
    api.push(quote("02", bid=612.34, ask=612.38, bid_volume=10))
    await until(lambda: len(listener.of("trade")) == 2)
    close = listener.of("trade")[1]
    assert close.commission == Decimal("0.00")  # close-today is free at this broker
    report = await gateway.query_account()
    assert report.margin == Decimal("0.00")
    assert report.realized_pnl == Decimal("-80.00")  # 0.04 yuan/g * 2 lots * 1000 g
    await gateway.close()


async def test_an_order_outside_the_sessions_is_refused(tmp_path: Path) -> None:
    clock = DrivenClock(MONDAY_10AM)
    gateway, _, listener = await start(tmp_path, clock)
    clock.advance(6 * 3600)  # 16:00: the day session has closed
    await gateway.send_order(request(Side.BUY, "612.30", 1))
    await until(lambda: len(listener.of("order")) == 1)
    order = listener.of("order")[0]
    assert order.status is OrderStatus.REJECTED
    assert "outside trading sessions" in order.reject_reason
    await gateway.close()


async def test_the_paper_books_survive_a_restart(tmp_path: Path) -> None:
    gateway, api, listener = await start(tmp_path)
    api.push(quote("00", bid=612.34, ask=612.38))
    await until(lambda: len(listener.of("tick")) == 1)
    await gateway.send_order(request(Side.BUY, "612.38", 1))
    api.push(quote("01", bid=612.34, ask=612.38))
    await until(lambda: len(listener.of("trade")) == 1)
    await gateway.close()
    state = load_state(tmp_path / STATE_FILE_NAME)
    assert state is not None
    assert state.positions.leg(SYMBOL, request().direction).volume == 1


async def test_a_state_file_of_another_account_is_refused(tmp_path: Path) -> None:
    gateway, _, _ = await start(tmp_path)
    await gateway.close()
    feed = CtpMarketData(
        ["tcp://127.0.0.1:1"],
        MdLogin(),
        tmp_path / "md",
        SPEC_FOR,
        TradingCalendar.gold(),
        DrivenClock(MONDAY_10AM),
        api_factory=lambda flow_dir: FakeMdApi(flow_dir),
    )
    other = PaperGateway(
        TradingAccount("paper-002", Decimal("1000000")),
        feed,
        SPEC_FOR,
        TradingCalendar.gold(),
        tmp_path / STATE_FILE_NAME,
        DrivenClock(MONDAY_10AM),
    )
    with pytest.raises(GatewayError, match="holds paper account 'paper-001'"):
        await other.connect()
