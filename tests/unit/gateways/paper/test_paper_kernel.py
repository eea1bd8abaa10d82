"""The kernel on the paper gateway, both counting with the broker's rates: after real
quotes fill an order, ARBIG's account and the paper exchange's agree at every account
report, a commission by money included."""

from decimal import Decimal
from pathlib import Path

from mdkit import SYMBOL, FakeMdApi, depth, until
from simkit import request

from arbig.clock import DrivenClock
from arbig.config import Settings
from arbig.domain.broker_tables import BrokerTables, CommissionRate, MarginRate
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Offset, Side
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.gateways.base import TradingAccount
from arbig.gateways.ctp.md import CtpMarketData, MdLogin, MdState
from arbig.gateways.paper import STATE_FILE_NAME, PaperGateway
from arbig.testkit import MONDAY_10AM, MemoryBook
from arbig.ticks.memory import MemoryTickStore

DAY = "20260601"
TABLES = BrokerTables(
    margins={"au": MarginRate(long_by_money=Decimal("0.13"), short_by_money=Decimal("0.13"))},
    commissions={
        "au": CommissionRate(
            open_by_volume=Decimal("2"),
            open_by_money=Decimal("0.00002"),
            close_today_by_money=Decimal("0.00005"),
        )
    },
)


def configured(symbol: str) -> ContractSpec:
    return Settings(main_contract=SYMBOL).contract_spec(symbol)


async def test_the_book_agrees_with_the_paper_exchange_at_the_brokers_rates(
    tmp_path: Path,
) -> None:
    spec_for = TABLES.spec_for(configured)
    clock = DrivenClock(MONDAY_10AM)
    calendar = TradingCalendar.gold()
    apis: list[FakeMdApi] = []

    def factory(flow_dir: str) -> FakeMdApi:
        apis.append(FakeMdApi(flow_dir, trading_day=DAY))
        return apis[-1]

    feed = CtpMarketData(
        ["tcp://127.0.0.1:1"],
        MdLogin(),
        tmp_path / "md",
        spec_for,
        calendar,
        clock,
        api_factory=factory,
    )
    account = TradingAccount("paper-001", Decimal("1000000.00"))
    gateway = PaperGateway(account, feed, spec_for, calendar, tmp_path / STATE_FILE_NAME, clock)
    book = MemoryBook()
    core = TradingCore(
        account_id=account.account_id,
        capital=account.capital,
        main_contract=SYMBOL,
        spec_for=spec_for,
        gateway=gateway,
        recorder=book,
        source=book,
        tick_store=MemoryTickStore(100),
        tick_filter=TickFilter(calendar),
        clock=clock,
        snapshot_interval_s=3600,
    )
    await core.start()
    await until(lambda: feed.state is MdState.READY and bool(apis[0].subscribed))

    def quote(second: int, bid: float, ask: float) -> object:
        return depth(f"10:00:{second:02d}", action_day=DAY, trading_day=DAY, bid=bid, ask=ask)

    apis[0].push(quote(0, 612.34, 612.38))
    await until(lambda: core.last_tick(SYMBOL) is not None)
    await core.send_order(request(Side.BUY, "612.38", 3))
    apis[0].push(quote(1, 612.34, 612.38))
    await until(lambda: core.money is not None and core.portfolio.account.commission > 0)
    await core.send_order(request(Side.SELL, "612.30", 1, Offset.CLOSE_TODAY))
    await core.send_order(request(Side.BUY, "600.00", 2))  # rests: margin and fee frozen
    apis[0].push(quote(2, 612.30, 612.36))
    await until(lambda: len(book.trades) == 2)
    await until(lambda: core.money is not None and core.money.book.frozen_margin > 0)

    money = core.money
    assert money is not None
    assert money.differences == ()
    # 3 lots opened at 612.38: 2 yuan a lot + 0.002 % of 1 837 140 = 42.74;
    # 1 lot closed today at 612.30: 0.005 % of 612 300 = 30.62
    assert money.book.commission == Decimal("73.36")
    assert money.broker.commission == Decimal("73.36")
    assert money.book.margin == Decimal("159218.80")  # 13 % of 2 lots at 612.38
    await core.stop()
