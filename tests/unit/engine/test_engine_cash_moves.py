"""Money moved into or out of the account (the broker's deposit and withdrawal totals
for the trading day) is booked from the broker's account report: the balance and what is
available move with it, the day's settlement carries it, and a restart books it again
from what was recorded."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
from enginekit import ACCOUNT, MONDAY, TUESDAY, TUESDAY_10AM, make_tick, make_trade, running
from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.api.errors import CashRefused
from arbig.clock import DrivenClock
from arbig.config import Settings, SimSettings
from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.audit import AuditEntry
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Offset, Side, Transfer
from arbig.domain.snapshot import AccountSnapshot
from arbig.engine.bus import EventType
from arbig.engine.core import Auditor, TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.portfolio import Portfolio
from arbig.gateways.base import AccountReport
from arbig.gateways.sim import SimGateway
from arbig.gateways.sim.state import SimState, save_state
from arbig.storage import repository
from arbig.testkit import MONDAY_10AM, MemoryBook
from arbig.ticks.memory import MemoryTickStore

D = Decimal


def with_cash(report: AccountReport, deposit: str, withdraw: str = "0") -> AccountReport:
    """``report`` as a broker that has also seen the day's cash moves reports it."""
    moved = D(deposit) - D(withdraw)
    return replace(
        report,
        deposit=D(deposit),
        withdraw=D(withdraw),
        balance=report.balance + moved,
        available=report.available + moved,
    )


async def test_a_deposit_the_broker_reports_moves_the_balance_and_available(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        before = rig.core.portfolio.account_snapshot(rig.clock.now())
        rig.events.clear()
        rig.core.on_account(with_cash(rig.gateway.account_report(), "50000", "0"))
        after = rig.core.portfolio.account_snapshot(rig.clock.now())
        assert after.balance - before.balance == D("50000.00")
        assert after.available - before.available == D("50000.00")
        assert (after.deposit, after.withdraw) == (D("50000.00"), D("0.00"))
        # No false alarm: the book agrees with a broker that counts the deposit.
        assert rig.core.money is not None and rig.core.money.differences == ()
        published = rig.of(EventType.ACCOUNT)
        assert published and published[-1].deposit == D("50000.00")


async def test_the_same_days_totals_reported_again_are_not_booked_twice(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        report = with_cash(rig.gateway.account_report(), "50000", "0")
        rig.core.on_account(report)
        rig.core.on_account(report)
        assert rig.core.portfolio.account.balance - start == D("50000")
        # A withdrawal later that day: the totals say so, the balance follows.
        rig.core.on_account(with_cash(rig.gateway.account_report(), "50000", "20000"))
        account = rig.core.portfolio.account
        assert account.balance - start == D("30000")
        assert (account.deposit, account.withdraw) == (D("50000"), D("20000"))


async def test_the_days_settlement_carries_its_cash_moves_and_a_restart_books_them_again(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        rig.core.on_account(with_cash(rig.gateway.account_report(), "50000", "1000"))
        rig.clock.advance_to(TUESDAY_10AM)
        await rig.tick()
        assert rig.core.portfolio.trading_day == TUESDAY
        account = rig.core.portfolio.account
        # A new trading day starts the day's totals at 0; the money stays.
        assert (account.deposit, account.withdraw) == (D(0), D(0))
        assert account.balance - start == D("49000")
        await rig.writer.flush()
        async with rig.sessions() as session:
            settled = await repository.load_settlements(session, ACCOUNT)
        monday = next(s for s in settled if s.trading_day == MONDAY)
        assert (monday.deposit, monday.withdraw) == (D("50000"), D("1000"))
        assert monday.balance == monday.pre_balance + D("49000")
    async with running(tmp_path) as rig:
        rig.clock.advance_to(TUESDAY_10AM)
        await rig.tick()
        assert rig.core.portfolio.trading_day == TUESDAY
        account = rig.core.portfolio.account
        assert account.balance - start == D("49000")
        assert (account.deposit, account.withdraw) == (D(0), D(0))


async def test_a_report_of_a_day_the_book_has_not_reached_waits_for_it(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        early = with_cash(rig.gateway.account_report(), "8000", "0")
        rig.core.on_account(replace(early, trading_day=TUESDAY))
        # Still Monday in the book: Monday's figures are not Tuesday's.
        assert rig.core.portfolio.account.deposit == D(0)
        rig.clock.advance_to(TUESDAY_10AM)
        await rig.tick()
        account = rig.core.portfolio.account
        assert rig.core.portfolio.trading_day == TUESDAY
        assert account.deposit == D("8000")
        assert account.balance - start == D("8000")


async def test_a_report_of_a_day_the_book_has_left_is_not_booked(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        rig.clock.advance_to(TUESDAY_10AM)
        await rig.tick()
        start = rig.core.portfolio.account.balance
        stale = with_cash(rig.gateway.account_report(), "8000", "0")
        rig.core.on_account(replace(stale, trading_day=MONDAY))
        assert rig.core.portfolio.account.balance == start
        assert rig.core.portfolio.account.deposit == D(0)


# --- the simulated exchange takes deposits and withdrawals --------------------------------


async def test_a_deposit_on_the_simulated_exchange_is_booked_and_agrees(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        account = await rig.core.move_cash(Transfer.DEPOSIT, D("50000.00"))
        assert account.balance - start == D("50000.00")
        assert (account.deposit, account.withdraw) == (D("50000.00"), D("0.00"))
        assert rig.gateway.account_report().balance == account.balance
        assert rig.core.money is not None and rig.core.money.differences == ()
        await rig.core.move_cash(Transfer.WITHDRAW, D("20000.00"))
        account = rig.core.portfolio.account
        assert (account.deposit, account.withdraw) == (D("50000.00"), D("20000.00"))
        assert account.balance - start == D("30000.00")


async def test_a_withdrawal_above_what_is_available_is_refused_and_nothing_moves(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.marketable(Side.BUY, 2))
        book_before = rig.core.portfolio.account_snapshot(rig.clock.now())
        broker_before = rig.gateway.account_report()
        too_much = book_before.available + D("0.01")
        with pytest.raises(CashRefused, match=r"withdraw of .* refused: cannot withdraw"):
            await rig.core.move_cash(Transfer.WITHDRAW, too_much)
        assert rig.core.portfolio.account_snapshot(rig.clock.now()) == book_before
        assert rig.gateway.account_report() == broker_before


@pytest.mark.parametrize("amount", ["0", "-1", "0.001"])
async def test_an_amount_that_is_not_a_positive_sum_in_cents_is_refused(
    tmp_path: Path, amount: str
) -> None:
    async with running(tmp_path) as rig:
        with pytest.raises(CashRefused, match="amount must be a positive sum in cents"):
            await rig.core.move_cash(Transfer.DEPOSIT, D(amount))
        assert rig.gateway.account_report().deposit == D(0)


async def test_a_deposit_before_the_first_quote_is_booked_on_the_exchanges_day(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, warmup=0) as rig:
        assert rig.core.portfolio.trading_day is None
        account = await rig.core.move_cash(Transfer.DEPOSIT, D("50000.00"))
        assert account.deposit == D("50000.00")
        assert rig.core.portfolio.trading_day == MONDAY
        await rig.tick()
        assert rig.core.portfolio.account.deposit == D("50000.00")
        assert rig.gateway.account_report().balance == rig.core.portfolio.account.balance


async def test_the_days_cash_moves_survive_a_restart_on_both_sides(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        await rig.core.move_cash(Transfer.DEPOSIT, D("50000.00"))
    async with running(tmp_path) as rig:
        account = rig.core.portfolio.account
        assert account.balance - start == D("50000.00")
        assert account.deposit == D("50000.00")
        await rig.fill(rig.marketable(Side.BUY, 1))
        assert rig.core.money is not None and rig.core.money.differences == ()


def test_a_replay_books_the_cash_moves_of_recorded_days_before_its_first_fill() -> None:
    book = Portfolio(ACCOUNT, D("1000000"), SETTINGS.contract_spec)
    book.restore_settlements(
        [
            DailySettlement(
                account_id=ACCOUNT,
                trading_day=MONDAY,
                pre_balance=D("1000000"),
                deposit=D("50000"),
                withdraw=D("2000"),
                close_profit=D(0),
                position_profit=D(0),
                commission=D(0),
                balance=D("1048000"),
            )
        ]
    )
    book.apply_trade(make_trade(at=TUESDAY_10AM, day=TUESDAY, commission="0"))
    account = book.account
    assert account.balance == D("1048000")
    assert account.opening_balance == D("1048000")
    assert (account.deposit, account.withdraw) == (D(0), D(0))
    assert [(s.trading_day, s.deposit, s.withdraw) for s in book.take_settled()] == [
        (MONDAY, D("50000"), D("2000"))
    ]
    assert book.take_cash_moves() == []  # recorded before: nothing new to announce


def test_a_negative_total_from_the_broker_is_refused_and_nothing_moves() -> None:
    book = Portfolio(ACCOUNT, D("1000000"), SETTINGS.contract_spec)
    book.mark(make_tick())
    with pytest.raises(ValueError, match="cannot be negative"):
        book.broker_cash(MONDAY, D("-5"), D(0))
    assert book.account.balance == D("1000000")


async def test_a_booked_cash_move_is_written_to_the_audit_trail() -> None:
    clock = DrivenClock(MONDAY_10AM)
    entries: list[AuditEntry] = []

    class Trail:
        async def record(self, entry: AuditEntry) -> None:
            entries.append(entry)

    core = bare_core(clock, MemoryBook(), auditor=Trail())
    core.on_tick(make_tick())
    core.on_account(cash_report(MONDAY, D("50000"), D(0)))
    await core.stop()
    assert [(e.action, e.result, e.target) for e in entries] == [("cash_move", "booked", ACCOUNT)]
    assert entries[0].detail["deposit"] == "50000"
    assert entries[0].detail["change"] == "50000"


async def test_the_days_totals_are_booked_and_audited_before_start_up_ends(
    tmp_path: Path,
) -> None:
    # The exchange's books of a day money moved on, saved before this core starts.
    saved = SimState.fresh(ACCOUNT, CAPITAL)
    saved.trading_day = MONDAY
    saved.account.move_cash(D("50000.00"), D("1000.00"))
    save_state(saved, tmp_path / "sim.json")
    clock = DrivenClock(MONDAY_10AM)
    entries: list[AuditEntry] = []

    class Trail:
        async def record(self, entry: AuditEntry) -> None:
            entries.append(entry)

    core = bare_core(clock, MemoryBook(), auditor=Trail(), state_path=tmp_path / "sim.json")
    await core.start()
    try:
        account = core.portfolio.account
        assert (account.deposit, account.withdraw) == (D("50000.00"), D("1000.00"))
        assert account.balance == CAPITAL + D("49000.00")
        assert [(e.action, e.detail["change"]) for e in entries] == [("cash_move", "49000.00")]
    finally:
        await core.stop()


async def test_a_restart_with_the_same_totals_writes_no_second_audit_entry(
    tmp_path: Path,
) -> None:
    # The exchange's books of a day money moved on; the same book across two starts.
    saved = SimState.fresh(ACCOUNT, CAPITAL)
    saved.trading_day = MONDAY
    saved.account.move_cash(D("50000.00"), D("1000.00"))
    save_state(saved, tmp_path / "sim.json")
    book, entries = MemoryBook(), []

    class Trail:
        async def record(self, entry: AuditEntry) -> None:
            entries.append(entry)

    for _ in range(2):
        core = bare_core(DrivenClock(MONDAY_10AM), book, Trail(), tmp_path / "sim.json")
        await core.start()
        try:
            account = core.portfolio.account
            assert (account.deposit, account.withdraw) == (D("50000.00"), D("1000.00"))
            assert account.balance == CAPITAL + D("49000.00")
        finally:
            await core.stop()
    assert [(e.action, e.detail["change"]) for e in entries] == [("cash_move", "49000.00")]
    # More money in while the core was down: told, with what changed since the record.
    saved.account.move_cash(D("80000.00"), D("1000.00"))
    save_state(saved, tmp_path / "sim.json")
    core = bare_core(DrivenClock(MONDAY_10AM), book, Trail(), tmp_path / "sim.json")
    await core.start()
    try:
        assert core.portfolio.account.balance == CAPITAL + D("79000.00")
    finally:
        await core.stop()
    assert [(e.detail["deposit"], e.detail["change"]) for e in entries[1:]] == [
        ("80000.00", "30000.00")
    ]


async def test_a_restart_on_the_database_logs_no_cash_move_for_recorded_totals(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        start = rig.core.portfolio.account.balance
        await rig.core.move_cash(Transfer.DEPOSIT, D("50000.00"))
    with structlog.testing.capture_logs() as logs:
        async with running(tmp_path) as rig:
            account = rig.core.portfolio.account
            assert account.balance - start == D("50000.00")
            assert account.deposit == D("50000.00")
    assert [e for e in logs if e["event"] == "cash moved"] == []


def test_recorded_totals_of_a_day_the_book_only_passes_are_settled_with_it() -> None:
    book = Portfolio(ACCOUNT, D("1000000"), SETTINGS.contract_spec)
    book.restore_day_cash(DayCash(MONDAY, D("50000"), D(0)))
    book.apply_trade(make_trade(at=TUESDAY_10AM, day=TUESDAY, commission="0"))
    assert book.account.balance == D("1050000")
    assert [(s.trading_day, s.deposit) for s in book.take_settled()] == [(MONDAY, D("50000"))]
    assert book.take_cash_moves() == []


# --- any sequence of reports, fills and days -------------------------------------------

SETTINGS = Settings(main_contract="au2612", sim=SimSettings(seed=7))
CAPITAL = D("1000000")
_AMOUNTS = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c) / 100)
_PRICES = st.integers(min_value=45_950, max_value=46_050).map(lambda c: D(c) / 50)
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["deposit", "withdraw"]), _AMOUNTS),
        st.tuples(st.sampled_from(["buy", "sell", "close", "tick"]), _PRICES),
        st.tuples(st.sampled_from(["broker day", "report"]), st.just(D(0))),
    ),
    max_size=40,
)


def cash_report(day: date, deposit: Decimal, withdraw: Decimal) -> AccountReport:
    """A broker's report that matters here only for its cash figures."""
    return AccountReport(
        account_id=ACCOUNT,
        balance=D(0),
        available=D(0),
        margin=D(0),
        commission=D(0),
        realized_pnl=D(0),
        unrealized_pnl=D(0),
        deposit=deposit,
        withdraw=withdraw,
        trading_day=day,
    )


def bare_core(
    clock: DrivenClock,
    book: MemoryBook,
    auditor: Auditor | None = None,
    state_path: Path | None = None,
) -> TradingCore:
    """A core on the simulator, its market still (the tests call the gateway's callbacks
    by hand); ``state_path``: the exchange's books."""
    calendar = TradingCalendar.gold(SETTINGS.holidays)
    return TradingCore(
        account_id=ACCOUNT,
        capital=CAPITAL,
        main_contract="au2612",
        spec_for=SETTINGS.contract_spec,
        gateway=SimGateway(
            SETTINGS, SETTINGS.contract_spec, calendar, state_path, clock, autotick=False
        ),
        recorder=book,
        source=book,
        tick_store=MemoryTickStore(100),
        tick_filter=TickFilter(calendar, check_sessions=False, max_clock_skew=timedelta(days=3650)),
        clock=clock,
        auditor=auditor,
    )


def broker_formula(account: AccountSnapshot) -> Decimal:
    return (
        account.pre_balance
        + account.deposit
        - account.withdraw
        + account.close_profit
        + account.position_profit
        - account.today_commission
    )


@settings(max_examples=80, deadline=None)
@given(_STEPS)
def test_the_books_balance_is_the_brokers_formula_after_any_reports_and_fills(
    steps: list[tuple[str, Decimal]],
) -> None:
    clock = DrivenClock(MONDAY_10AM)
    memory = MemoryBook()
    core = bare_core(clock, memory)
    # The same fills and prices without any money moved: the trading alone.
    trading = Portfolio(ACCOUNT, CAPITAL, SETTINGS.contract_spec)
    broker_day, deposit, withdraw, moved = MONDAY, D(0), D(0), D(0)
    days: dict[date, tuple[Decimal, Decimal]] = {}
    at, price = MONDAY_10AM, D("920.00")

    def report() -> None:
        core.on_account(cash_report(broker_day, deposit, withdraw))

    def tick(last: Decimal) -> None:
        clock.advance_to(at)
        quote = make_tick(str(last), at=at, day=broker_day)
        core.on_tick(quote)
        trading.mark(quote)

    tick(price)
    for n, (kind, value) in enumerate(steps):
        at += timedelta(seconds=1)
        if kind in ("deposit", "withdraw"):
            if kind == "deposit":
                deposit += value
                moved += value
            else:
                withdraw += value
                moved -= value
            days[broker_day] = (deposit, withdraw)
            report()
        elif kind == "broker day":  # the broker opens the next day before its first tick
            broker_day += timedelta(days=1)
            deposit = withdraw = D(0)
            report()
        elif kind == "report":
            report()
        elif kind == "tick":
            tick(value)
        else:
            long_leg = core.portfolio.positions.leg("au2612", make_trade().direction)
            if kind == "close" and long_leg.volume == 0:
                continue
            side, offset = (Side.BUY, Offset.OPEN) if kind == "buy" else (Side.SELL, Offset.OPEN)
            if kind == "close":  # a fill of a later day finds today's lots yesterday's
                today = long_leg.volume_today and core.portfolio.trading_day == broker_day
                offset = Offset.CLOSE_TODAY if today else Offset.CLOSE_YESTERDAY
            fill = make_trade(f"T{n}", side=side, offset=offset, price=str(value), at=at)
            fill = replace(fill, trading_day=broker_day)
            core.on_trade(fill)
            trading.apply_trade(fill)
    at += timedelta(seconds=1)
    tick(price)  # the book reaches the broker's day

    account = core.portfolio.account_snapshot(clock.now())
    assert (account.deposit, account.withdraw) == (deposit, withdraw)
    assert account.balance == broker_formula(account)
    assert account.balance == trading.account_snapshot(clock.now()).balance + moved
    assert account.available == trading.account_snapshot(clock.now()).available + moved
    for record in memory.settlements:
        assert (record.deposit, record.withdraw) == days.get(record.trading_day, (D(0), D(0)))
