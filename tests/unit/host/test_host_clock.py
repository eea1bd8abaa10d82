"""The in-process client reads the kernel's clock: uptime, position marks and the
account's time move with a driven clock, not with the wall clock."""

from datetime import timedelta
from pathlib import Path

from corekit import Rig, running

from arbig.domain.enums import Side
from arbig.engine.closing import CloseDesk
from arbig.host.local import LocalCoreClient
from arbig.storage.audit import AuditTrail


class Desk:
    """The market desk, as far as health reads it: no extra components."""

    def component_states(self) -> dict[str, tuple[bool, str]]:
        return {}


def client(rig: Rig) -> LocalCoreClient:
    return LocalCoreClient(
        rig.core,
        rig.controls,
        Desk(),  # type: ignore[arg-type]
        CloseDesk(rig.core),
        rig.core.tick_store,
        rig.sessions,
        None,  # type: ignore[arg-type]  # reports are not read here
        AuditTrail(rig.sessions),
        rig.clock,
    )


async def test_health_and_the_book_are_stamped_with_the_kernels_time(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.fill(rig.request(Side.BUY))
        core = client(rig)
        started = rig.core.started_at
        assert started is not None

        rig.clock.advance(3600)  # an hour of the driven clock, none of the wall clock's
        health = await core.health()
        assert health.uptime_s == (rig.clock.now() - started).total_seconds()
        positions = await core.positions()
        assert positions and {p.update_time for p in positions} == {rig.clock.now()}
        assert (await core.account()).update_time == rig.clock.now()
        assert rig.clock.now() - started >= timedelta(hours=1)
