"""The trader session's steps against a front double that answers from its own thread."""

import threading
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from ctpkit import Events, ctp_settings, eventually, make_session
from fakefront import AUTH_CODE, FakeFront, Position
from ordersupport import buy_open

from arbig.domain.enums import Direction
from arbig.domain.session import StepState
from arbig.gateways.base import GatewayError, PositionReport
from arbig.gateways.ctp.trader import STEPS, TraderSession


@pytest.fixture
async def front() -> AsyncIterator[FakeFront]:
    fake = FakeFront(
        positions=[
            Position("au2606", "2", "2", 2, 2 * 1000 * 905.0),  # yesterday's long
            Position("au2606", "2", "1", 1, 1000 * 912.0),  # today's long
            Position("au2608", "3", "1", 1, 1000 * 915.0),  # today's short
        ]
    )
    yield fake
    fake.stop()


async def trading(session: TraderSession) -> None:
    session.start()
    await eventually(lambda: session.trading or session.fatal is not None)


async def test_login_confirms_the_settlement_and_replays_the_queries(
    front: FakeFront, tmp_path: Path
) -> None:
    events = Events()
    session = make_session(front, tmp_path, events)
    await trading(session)

    assert [name for name, _ in front.requests if name != "front"] == [
        "authenticate",
        "login",
        "settlement",
        "confirm",
        "instruments",
        "account",
        "positions",
        "margin",
        "commission",
        "quote",
        "margin",
        "commission",
        "quote",
        "orders",
        "trades",
    ]
    login = dict(front.requests)["login"]
    assert login["Password"] == "right-password" and login["BrokerID"] == "9999"
    assert dict(front.requests)["authenticate"]["AuthCode"] == AUTH_CODE
    assert front.private_topic == 0  # restart: the day's orders and trades come again
    assert front.threads and threading.get_ident() not in front.threads

    assert all(step.state is StepState.DONE for step in session.steps.values())
    assert list(session.steps) == list(STEPS)
    assert session.trading_day == date(2026, 12, 3)
    assert events.settlements == [(date(2026, 12, 3), "结算单 2026-12-02\n客户号 123456\n")]
    assert events.connections[-1] == (True, "CTP trading, trading day 2026-12-03")

    assert session.positions == [
        PositionReport("au2606", Direction.LONG, 3, 1, 2, Decimal("907.3333")),
        PositionReport("au2608", Direction.SHORT, 1, 1, 0, Decimal("915")),
    ]
    assert events.accounts[-1].balance == Decimal("1000000.0")
    assert events.accounts[-1].margin == Decimal("108000.0")
    assert set(session.tables.instruments) == {"au2606", "au2608"}  # futures only
    spec = session.tables.spec("au2606")
    assert spec is not None
    assert (spec.multiplier, spec.price_tick, spec.margin_ratio) == (
        1000,
        Decimal("0.02"),
        Decimal("0.12"),
    )
    assert (spec.commission_open, spec.commission_close_today) == (
        Decimal("10.00"),
        Decimal("0.00"),
    )
    assert spec.limit_ratio == Decimal("0.1000")
    await session.close()


async def test_a_statement_split_inside_a_character_reads_whole(
    front: FakeFront, tmp_path: Path
) -> None:
    text = "x" * 499 + "结算单：权益 1,000,000.00\n" * 40
    front.statement = text.encode("gb18030")
    events = Events()
    session = make_session(front, tmp_path, events)
    await trading(session)
    assert session.settlement == text
    await session.close()


async def test_a_wrong_password_is_a_clear_final_error(front: FakeFront, tmp_path: Path) -> None:
    events = Events()
    session = make_session(front, tmp_path, events, ctp_settings(password="wrong"))
    await trading(session)
    assert session.steps["login"].state is StepState.FAILED
    assert session.steps["login"].detail == "CTP error 3: CTP:不合法的登录"
    assert session.fatal is not None and "CTP error 3" in session.fatal
    assert events.connections[-1][0] is False
    assert "not retried: fix the settings and restart" in events.connections[-1][1]
    # the front drops and returns: no second login with the wrong password
    front.disconnect()
    front.reconnect()
    await front.drained()
    await eventually(lambda: session.steps["front"].state is StepState.DONE)
    assert [name for name, _ in front.requests].count("login") == 1
    assert "wrong" not in repr(session.steps) + repr(events.connections) + repr(events.logs)
    await session.close()


async def test_an_unauthenticated_app_is_a_clear_final_error(
    front: FakeFront, tmp_path: Path
) -> None:
    front.auth_error = (63, "CTP:客户端认证失败")
    events = Events()
    session = make_session(front, tmp_path, events)
    await trading(session)
    assert session.steps["authenticate"].detail == "CTP error 63: CTP:客户端认证失败"
    assert session.steps["login"].state is StepState.WAITING
    assert [name for name, _ in front.requests].count("login") == 0
    assert AUTH_CODE not in repr(session.steps) + repr(events.logs)
    await session.close()


async def test_a_front_that_does_not_answer_fails_the_step_at_its_timeout(
    front: FakeFront, tmp_path: Path
) -> None:
    front.silent = True
    events = Events()
    session = make_session(front, tmp_path, events, ctp_settings(step_timeout_s=0.2))
    session.start()
    await eventually(lambda: session.steps["authenticate"].state is StepState.FAILED)
    assert session.steps["authenticate"].detail == "no answer within 0.2 s"
    assert session.fatal is None  # a silent front is tried again, not given up
    assert "tried again in 10 s" in events.logs[-1][1]
    await session.close()


async def test_orders_are_refused_until_the_session_trades(
    front: FakeFront, tmp_path: Path
) -> None:
    front.silent = True
    session = make_session(front, tmp_path, Events())
    session.start()
    with pytest.raises(GatewayError, match="the CTP session is not trading"):
        session.send_order(buy_open())
    await session.close()
