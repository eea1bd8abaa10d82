"""``arbig ctp check`` as the operator reads it (the session behind it is tested in
tests/unit/gateways/ctp/test_ctp_check.py; fronts that never answer in
tests/integration/cli/test_cli_ctp_check.py)."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clikit import invoke

from arbig.domain.enums import Direction
from arbig.domain.session import SessionStep, StepState
from arbig.gateways.base import AccountReport, PositionReport
from arbig.gateways.ctp import check
from arbig.gateways.ctp.check import CheckReport

ACCOUNT = AccountReport(
    "123456",
    Decimal("1000000.00"),
    Decimal("892000.00"),
    Decimal("108000.00"),
    Decimal("20.00"),
    Decimal("0"),
    Decimal("0"),
)


def answering(report: CheckReport, seen: list[float]) -> Any:
    async def run_check(settings: Any, timeout_s: float, **_: Any) -> CheckReport:
        seen.append(timeout_s)
        return report

    return run_check


def test_a_session_that_trades_prints_what_the_broker_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = CheckReport(
        None,
        "trading",
        date(2026, 12, 3),
        ACCOUNT,
        [PositionReport("au2606", Direction.LONG, 3, 1, 2, Decimal("907.3333"))],
        812,
        [SessionStep("login", StepState.DONE, "trading day 2026-12-03")],
    )
    seen: list[float] = []
    monkeypatch.setattr(check, "run_check", answering(report, seen))
    result = invoke("ctp", "check", "--timeout", "7")
    assert result.exit_code == 0, result.output
    assert seen == [7.0]
    lines = result.output.splitlines()
    assert lines[0] == "trading day   2026-12-03"
    assert lines[1] == (
        "account       123456: balance 1000000.00, available 892000.00, margin 108000.00"
    )
    assert "  au2606 long 3 (today 1, yesterday 2) at 907.3333" in lines
    assert "instruments   812 futures contracts" in lines


def test_the_broker_tables_are_saved_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    report = CheckReport(None, "trading", date(2026, 12, 3), broker_tables="[margins.au]\n")
    monkeypatch.setattr(check, "run_check", answering(report, []))
    target = tmp_path / "broker.toml"
    result = invoke("ctp", "check", "--save-tables", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text() == "[margins.au]\n"
    assert f"broker tables written to {target} (setting broker_tables)" in result.output


def test_a_failed_step_is_one_line_and_exit_code_one(monkeypatch: pytest.MonkeyPatch) -> None:
    report = CheckReport("login", "CTP error 3: CTP:不合法的登录")
    monkeypatch.setattr(check, "run_check", answering(report, []))
    result = invoke("ctp", "check")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "arbig: CTP check failed at step login: CTP error 3: CTP:不合法的登录"
    )


def test_a_timeout_must_be_positive() -> None:
    result = invoke("ctp", "check", "--timeout", "0")
    assert result.exit_code == 2
    assert "--timeout must be positive" in result.output
