"""CtpMarketData against a stand-in CThostFtdcMdApi that calls back from its own
threads with real openctp_ctp structs: login, subscriptions, ticks in order on the
loop, a refused login, and a front that drops and comes back."""

import asyncio
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mdkit import DBL_MAX, SYMBOL, FakeMdApi, MdRecorder, depth, until

from arbig.clock import DrivenClock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.engine.hygiene import TickFilter
from arbig.gateways.ctp.md import CtpMarketData, MdLogin, MdState

FRIDAY_NIGHT = datetime(2026, 6, 5, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai


def spec_for(symbol: str) -> ContractSpec:
    return Settings(main_contract=SYMBOL).contract_spec(symbol)


def build(
    tmp_path: Path,
    clock: DrivenClock | None = None,
    *,
    refuse_login: tuple[int, str] | None = None,
) -> tuple[CtpMarketData, list[FakeMdApi], MdRecorder]:
    apis: list[FakeMdApi] = []

    def factory(flow_dir: str) -> FakeMdApi:
        apis.append(FakeMdApi(flow_dir))
        apis[-1].refuse_login = refuse_login
        return apis[-1]

    md = CtpMarketData(
        ["tcp://127.0.0.1:1"],
        MdLogin("9999", "000001", "secret"),
        tmp_path / "md",
        spec_for,
        TradingCalendar.gold(),
        clock or DrivenClock(FRIDAY_NIGHT),
        api_factory=factory,
    )
    listener = MdRecorder()
    md.set_listener(listener)
    return md, apis, listener


async def test_connect_logs_in_and_subscribes_what_was_asked_before(tmp_path: Path) -> None:
    md, apis, listener = build(tmp_path)
    await md.subscribe(SYMBOL)
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    api = apis[0]
    assert api.fronts == ["tcp://127.0.0.1:1"]
    assert api.logins == [("9999", "000001")]
    assert api.subscribed == [[SYMBOL]]
    assert api.flow_dir.endswith("/md/")
    assert md.trading_day == date(2026, 6, 8)
    assert listener.connections[-1][0] is True
    await md.close()
    assert api.released


async def test_night_ticks_across_midnight_reach_the_loop_in_order(tmp_path: Path) -> None:
    md, apis, listener = build(tmp_path)
    await md.connect()
    await md.subscribe(SYMBOL)
    await until(lambda: apis[0].subscribed == [[SYMBOL]])
    snapshots = [
        depth("23:59:59", millis=500, action_day="20260605", trading_day="20260608", last=612.36),
        depth("00:00:00", action_day="20260606", trading_day="20260608", last=612.40),
        depth("00:00:00", millis=500, action_day="20260606", trading_day="20260608", last=612.42),
    ]
    apis[0].push(*snapshots)
    await until(lambda: len(listener.ticks) == 3)
    times = [tick.datetime for tick in listener.ticks]
    assert times == sorted(times)
    assert times[1] - times[0] == timedelta(milliseconds=500)
    assert times[1].date() == date(2026, 6, 6)
    assert {tick.trading_day for tick in listener.ticks} == {date(2026, 6, 8)}
    assert listener.loop_thread == {threading.get_ident()}  # pushed on the loop, not CTP's
    assert all(thread.name == "ctp-md-api" for thread in apis[0].threads)
    await md.close()


async def test_an_unreadable_snapshot_is_counted_and_the_next_one_passes(tmp_path: Path) -> None:
    md, apis, listener = build(tmp_path)
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    apis[0].push(
        depth("", action_day="20260605", trading_day="20260608"),
        depth("21:00:01", action_day="20260605", trading_day="20260608"),
    )
    await until(lambda: len(listener.ticks) == 1)
    assert md.unreadable == 1
    assert any("snapshot dropped" in message for _, message in listener.logs)
    await md.close()


async def test_a_refused_login_says_why_and_the_session_is_not_ready(tmp_path: Path) -> None:
    md, apis, listener = build(tmp_path, refuse_login=(3, "invalid login"))
    await md.connect()
    await until(lambda: md.state is MdState.LOGIN_FAILED)
    assert listener.connections[-1] == (
        False,
        "market-data login refused: CTP error 3: invalid login",
    )
    assert apis[0].subscribed == []
    await md.close()


async def test_front_drop_then_return_logs_in_again_resubscribes_and_reports_the_gap(
    tmp_path: Path,
) -> None:
    clock = DrivenClock(FRIDAY_NIGHT)
    md, apis, listener = build(tmp_path, clock)
    await md.subscribe(SYMBOL)
    await md.subscribe("au2702")
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    api = apis[0]

    api.drop(0x2001)
    await until(lambda: md.state is MdState.DISCONNECTED)
    assert listener.connections[-1] == (
        False,
        "market-data front disconnected: heartbeat timed out; CTP reconnects",
    )
    clock.advance(42)
    api.come_back()
    await until(lambda: md.state is MdState.READY and len(api.subscribed) == 2)

    assert api.logins == [("9999", "000001")] * 2
    assert api.subscribed == [[SYMBOL, "au2702"], [SYMBOL, "au2702"]]
    assert len(md.gaps) == 1
    gap = md.gaps[0]
    assert gap.seconds == 42.0
    assert gap.symbols == (SYMBOL, "au2702")
    assert "heartbeat timed out" in gap.reason
    assert listener.connections[-1][0] is True
    assert "after a gap of 42.0 s" in listener.connections[-1][1]
    api.push(depth("21:01:00", action_day="20260605", trading_day="20260608"))
    await until(lambda: len(listener.ticks) == 1)
    await md.close()


async def test_unsubscribe_stops_asking_for_the_contract(tmp_path: Path) -> None:
    md, apis, _ = build(tmp_path)
    await md.subscribe(SYMBOL)
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    await md.unsubscribe(SYMBOL)
    assert apis[0].unsubscribed == [[SYMBOL]]
    assert md.symbols == ()
    await md.close()


async def test_nothing_is_pushed_after_close(tmp_path: Path) -> None:
    md, apis, listener = build(tmp_path)
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    await md.close()
    apis[0].spi = md  # a late callback from CTP's thread after the release
    apis[0].push(depth("21:00:01", action_day="20260605", trading_day="20260608"))
    apis[0].drop()
    for _ in range(5):  # what the callbacks posted runs on the loop's next rounds
        await asyncio.sleep(0)
    assert listener.ticks == []
    assert md.state is MdState.CLOSED


async def test_dbl_max_fields_and_a_junk_tick_reach_the_hygiene_rules_as_such(
    tmp_path: Path,
) -> None:
    md, apis, listener = build(tmp_path)
    await md.subscribe(SYMBOL)
    await md.connect()
    await until(lambda: md.state is MdState.READY)
    apis[0].push(
        # limit up: nobody sells, and nothing has traded at an open price yet
        depth(
            "21:00:01",
            action_day="20260605",
            trading_day="20260608",
            ask=DBL_MAX,
            ask_volume=4,
            OpenPrice=DBL_MAX,
        ),
        depth("20:59:00", action_day="20260605", trading_day="20260608"),  # the auction
        depth("21:00:02", action_day="20260605", trading_day="20260608", last=DBL_MAX),
    )
    await until(lambda: len(listener.ticks) == 3)
    limit_up, early, no_last = listener.ticks
    assert (limit_up.ask_price, limit_up.ask_volume, limit_up.open_price) == (0, 0, 0)
    hygiene = TickFilter(TradingCalendar.gold())
    now = limit_up.datetime
    assert [hygiene.accept(tick, now) for tick in listener.ticks] == [True, False, False]
    assert hygiene.dropped == {"out_of_session": 1, "bad_price": 1}
    assert early.trading_day == no_last.trading_day == date(2026, 6, 8)
    await md.close()


async def test_the_connection_is_reported_down_while_the_front_has_not_answered(
    tmp_path: Path,
) -> None:
    md, _, listener = build(tmp_path)
    await md.connect()
    assert listener.connections[0] == (False, "market data: connecting to tcp://127.0.0.1:1")
    await md.close()


async def test_a_trading_day_the_calendar_does_not_know_is_warned_once(tmp_path: Path) -> None:
    # The exchange closed Monday 8 June for a holiday the calendar was not told of: the
    # Friday night trades for Tuesday.
    md, apis, listener = build(tmp_path)
    await md.connect()
    await md.subscribe(SYMBOL)
    await until(lambda: md.state is MdState.READY)
    apis[0].push(
        depth("21:00:01", action_day="20260605", trading_day="20260609"),
        depth("21:00:02", action_day="20260605", trading_day="20260609"),
    )
    await until(lambda: len(listener.ticks) == 2)
    warnings = [message for _, message in listener.logs if "by ARBIG's calendar" in message]
    assert warnings == [
        "market data: au2612 at 2026-06-05T21:00:01+08:00 is in trading day 2026-06-09 by "
        "the exchange, 2026-06-08 by ARBIG's calendar: check the holidays setting"
    ]
    assert listener.ticks[0].trading_day == date(2026, 6, 9)  # the exchange's word stands
    await md.close()
