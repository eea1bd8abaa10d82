"""The check behind ``arbig ctp check``: every step once, or the step that failed."""

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from ctpkit import ctp_settings
from fakefront import FakeFront, Position

from arbig.config import Settings
from arbig.domain.session import StepState
from arbig.gateways.ctp.check import run_check
from arbig.gateways.tables import load_broker_tables


@pytest.fixture
async def front() -> AsyncIterator[FakeFront]:
    fake = FakeFront(positions=[Position("au2606", "3", "2", 1, 1000 * 920.0)])
    yield fake
    fake.stop()


def settings(tmp_path: Path, **ctp: object) -> Settings:
    return Settings(main_contract="au2606", data_dir=tmp_path, ctp=ctp_settings(**ctp))


async def test_the_check_reports_what_the_broker_said(front: FakeFront, tmp_path: Path) -> None:
    report = await run_check(settings(tmp_path), 30, api_factory=front.api)
    assert report.ok and report.reason == "trading"
    assert report.trading_day is not None and report.trading_day.isoformat() == "2026-12-03"
    assert report.account is not None and report.account.balance == Decimal("1000000.0")
    assert [(p.symbol, p.volume_yesterday) for p in report.positions] == [("au2606", 1)]
    assert report.instruments == 2
    assert all(step.state is StepState.DONE for step in report.steps)
    assert not [name for name, _ in front.requests if name in ("order", "cancel")]
    saved = tmp_path / "broker.toml"
    saved.write_text(report.broker_tables)
    tables = load_broker_tables(saved)
    assert tables.margins["au2606"].long_by_money == Decimal("0.12")
    assert tables.commissions["au"].open_by_volume == Decimal("10.0")
    assert tables.instruments["au2606"].multiplier == 1000


async def test_the_check_names_the_first_failed_step(front: FakeFront, tmp_path: Path) -> None:
    report = await run_check(settings(tmp_path, password="wrong"), 30, api_factory=front.api)
    assert (report.failed, report.reason) == ("login", "CTP error 3: CTP:不合法的登录")


async def test_a_silent_front_fails_the_step_it_waits_in_at_the_timeout(
    front: FakeFront, tmp_path: Path
) -> None:
    front.silent = True
    report = await run_check(settings(tmp_path), 0.5, api_factory=front.api)
    assert (report.failed, report.reason) == ("authenticate", "no answer within 0.5 s")
