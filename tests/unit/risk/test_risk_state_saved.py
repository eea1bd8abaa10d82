"""The trading state is saved before a loosening change takes effect; the emergency stop
acts whatever the store does (docs/storage.md, "The core's standing state")."""

from pathlib import Path

import pytest
from corekit import Rig, running
from sqlalchemy import text

from arbig.api.errors import ControlRefused
from arbig.domain.enums import TradingState


async def lose_the_state_table(rig: Rig) -> None:
    """A real failure of the store: its table is gone."""
    async with rig.sessions() as session, session.begin():
        await session.execute(text("DROP TABLE trading_state"))


async def test_a_state_change_is_saved_and_survives_a_restart(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        status = await rig.controls.set_trading_state(TradingState.REDUCING, "eod", "ops")
        assert status.state is TradingState.REDUCING
        saved = await rig.state.load_trading_status()
        assert saved is not None and (saved.state, saved.reason) == (TradingState.REDUCING, "eod")

    async with running(tmp_path) as again:
        assert again.controls.risk.state is TradingState.REDUCING
        assert again.controls.trading_status().actor == "ops"


async def test_a_resume_that_cannot_be_saved_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        await rig.controls.set_trading_state(TradingState.HALTED, "checking", "ops")
        await lose_the_state_table(rig)

        with pytest.raises(ControlRefused, match="cannot be saved, nothing changed"):
            await rig.controls.set_trading_state(TradingState.ACTIVE, "done", "ops")

        assert rig.controls.risk.state is TradingState.HALTED
        assert rig.controls.trading_status().reason == "checking"


async def test_the_emergency_stop_halts_even_when_its_save_fails(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await lose_the_state_table(rig)

        report = await rig.controls.emergency_stop("fat finger", "ops", flatten=False)

        assert rig.controls.risk.state is TradingState.HALTED
        assert report.status.emergency
        assert report.errors and report.errors[0].startswith("the halt is not saved")
        with pytest.raises(ControlRefused, match="cannot be saved"):
            await rig.controls.reset_emergency("checked", "ops")
        assert rig.controls.trading_status().emergency
