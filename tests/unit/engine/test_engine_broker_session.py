"""A gateway's broker session (CTP's steps, the settlement statement) reaches the health
report and the client through the core; a gateway without one shows none."""

from datetime import UTC, date, datetime
from pathlib import Path

from enginekit import running

from arbig.domain.session import SessionStep, SettlementStatement, StepState


async def test_a_gateway_without_a_session_reports_no_steps(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        assert rig.core.parts_health().session == ()
        assert rig.core.settlement_statement() is None


async def test_the_session_steps_and_statement_come_from_the_gateway(tmp_path: Path) -> None:
    steps = [
        SessionStep("front", StepState.DONE, "connected"),
        SessionStep("login", StepState.FAILED, "CTP error 3: CTP:不合法的登录"),
    ]
    statement = SettlementStatement(date(2026, 12, 3), "结算单", datetime(2026, 12, 3, tzinfo=UTC))
    async with running(tmp_path) as rig:
        rig.gateway.session_steps = lambda: steps  # type: ignore[attr-defined]
        rig.gateway.settlement_statement = lambda: statement  # type: ignore[attr-defined]
        assert rig.core.parts_health().session == tuple(steps)
        assert rig.core.settlement_statement() == statement
