"""CtpGateway: the trader session and a market-data side composed behind the Gateway port."""

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from ctpkit import Events, MarketData, ctp_settings, eventually
from fakefront import FakeFront
from ordersupport import buy_open

from arbig.clock import LiveClock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import OrderStatus
from arbig.domain.session import SettlementStatement, StepState
from arbig.domain.tick import Tick
from arbig.gateways.base import BrokerContracts, BrokerSession, GatewayError
from arbig.gateways.ctp import environment
from arbig.gateways.ctp.gateway import CtpGateway
from arbig.gateways.registry import GATEWAYS, GatewayParts


class Listener(Events):
    """The gateway's listener: what the session reports, and the ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[Tick] = []

    def on_tick(self, tick: Tick) -> None:
        self.ticks.append(tick)


def settings(tmp_path: Path) -> Settings:
    return Settings(
        main_contract="au2606",
        data_dir=tmp_path,
        ctp=ctp_settings(),
        gateway="ctp",
    )


@pytest.fixture
async def front() -> AsyncIterator[FakeFront]:
    fake = FakeFront()
    yield fake
    fake.stop()


async def test_the_gateway_trades_once_both_sessions_are_up(
    front: FakeFront, tmp_path: Path
) -> None:
    given = settings(tmp_path)
    market = MarketData()
    kept: list[SettlementStatement] = []
    gateway = CtpGateway(
        given,
        given.contract_spec,
        TradingCalendar.gold(),
        LiveClock(),
        market_data=market,
        api_factory=front.api,
        statements=kept.append,
    )
    listener = Listener()
    gateway.set_listener(listener)
    account = gateway.account()
    assert (account.account_id, account.capital) == ("123456", Decimal("1000000"))

    await gateway.connect()
    await eventually(lambda: listener.connections and listener.connections[-1][0])
    assert listener.connections[-1][1] == (
        "trader: CTP trading, trading day 2026-12-03; market data: logged in"
    )
    assert front.flow_dir == f"{tmp_path / 'ctp' / 'td'}/"
    assert [step.state for step in gateway.session_steps()] == [StepState.DONE] * 10
    assert isinstance(gateway, BrokerSession)
    statement = gateway.settlement_statement()
    assert statement is not None
    assert (statement.trading_day.isoformat(), statement.text) == (
        "2026-12-03",
        "结算单 2026-12-02\n客户号 123456\n",
    )
    assert kept == [statement]
    await gateway.subscribe("au2606")
    assert market.subscribed == ["au2606"]

    order_id = await gateway.send_order(buy_open(volume=2))
    assert not listener.orders  # the caller has the id before any report
    await eventually(lambda: listener.orders)
    assert listener.orders[0].status is OrderStatus.SUBMITTING
    ctp_order = front.order("8")
    front.accept(ctp_order)
    front.fill(ctp_order, 2, 912.0)
    await eventually(lambda: listener.trades and listener.orders[-1].traded == 2)
    assert listener.trades[0].order_id == order_id
    assert [o.order_id for o in await gateway.query_orders()] == [order_id]
    assert [t.trade_id for t in await gateway.query_trades()] == [listener.trades[0].trade_id]
    report = await gateway.query_account()
    assert report.account_id == "123456"

    await gateway.close()
    assert market.closed


async def test_a_missing_locale_stops_the_ctp_gateway_before_the_library_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(environment, "locale_available", lambda name="": False)
    given = settings(tmp_path)
    problems = GATEWAYS.problems("ctp", given)
    assert problems == [environment.LOCALE_HINT]
    with pytest.raises(GatewayError, match=r"zh_CN\.GB18030 locale is missing"):
        GATEWAYS.build(
            "ctp",
            GatewayParts(given, given.contract_spec, TradingCalendar.gold(), LiveClock()),
        )


def test_the_ctp_gateway_lists_its_missing_settings() -> None:
    assert GATEWAYS.problems("ctp", Settings(gateway="ctp")) == [
        "CTP settings missing: ctp.td_fronts, ctp.md_fronts, ctp.broker_id, ctp.investor_id, "
        "ctp.password, ctp.app_id, ctp.auth_code, ctp.capital (see docs/ctp.md)"
    ]
    assert GATEWAYS.problems("sim", Settings()) == []


async def test_connect_names_the_step_when_the_session_cannot_trade(
    front: FakeFront, tmp_path: Path
) -> None:
    given = settings(tmp_path)
    wrong = given.model_copy(update={"ctp": ctp_settings(password="wrong")})
    gateway = CtpGateway(
        wrong,
        wrong.contract_spec,
        TradingCalendar.gold(),
        LiveClock(),
        market_data=MarketData(),
        api_factory=front.api,
    )
    with pytest.raises(GatewayError, match=r"step login failed: CTP error 3: CTP:不合法的登录"):
        await gateway.connect()
    await gateway.close()


async def test_connect_gives_up_at_its_timeout_naming_the_step_it_waits_in(
    front: FakeFront, tmp_path: Path
) -> None:
    front.silent = True
    given = settings(tmp_path)
    slow = given.model_copy(update={"ctp": ctp_settings(connect_timeout_s=0.3, step_timeout_s=5)})
    gateway = CtpGateway(
        slow,
        slow.contract_spec,
        TradingCalendar.gold(),
        LiveClock(),
        market_data=MarketData(),
        api_factory=front.api,
    )
    with pytest.raises(GatewayError) as refused:
        await gateway.connect()
    assert str(refused.value) == (
        "the CTP session is not trading after 0.3 s (step authenticate: running)"
    )
    with pytest.raises(GatewayError, match="not trading"):
        await gateway.send_order(buy_open())
    await gateway.close()


async def test_the_kernel_takes_the_contract_terms_the_broker_stated(
    front: FakeFront, tmp_path: Path
) -> None:
    given = settings(tmp_path)
    gateway = CtpGateway(
        given,
        given.contract_spec,
        TradingCalendar.gold(),
        LiveClock(),
        market_data=MarketData(),
        api_factory=front.api,
    )
    gateway.set_listener(Listener())
    assert isinstance(gateway, BrokerContracts)
    spec_for = gateway.live_spec_for(given.contract_spec)
    assert spec_for("au2606").margin_ratio == Decimal("0.10")  # before the session: configured

    await gateway.connect()
    try:
        stated = spec_for("au2606")
        assert stated.margin_ratio == Decimal("0.12")  # the broker's margin rate
        assert (stated.multiplier, stated.price_tick) == (1000, Decimal("0.02"))
        assert spec_for("au2612") == given.contract_spec("au2612")  # not listed by the broker
    finally:
        await gateway.close()
