"""Hours of the simulator's own market, left in a data folder as a running console
leaves them: its 1-minute bars in the bar store and its price path in the simulated
exchange's state file.

For the screenshots: a console that has run for a while shows a chart of the day,
not the single bar of a server that has just started. Nothing here is drawn by hand:
the ticks are the simulator's random walk (the same class the server runs) at the
server's cadence, the bars come out of the product's bar builder, and the server
started on this folder reads them back through its own bar route and carries the
price path on from where it stopped, so the live chart continues the history."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from arbig.config import Settings, SimSettings
from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.gateways.sim import STATE_FILE_NAME
from arbig.gateways.sim.market import RandomWalk
from arbig.gateways.sim.state import SimState, save_state
from arbig.storage.bars import BarRepository
from arbig.storage.database import create_engine, session_factory


def run_market(
    settings: Settings, symbol: str, start: datetime, end: datetime
) -> tuple[list[Bar], RandomWalk]:
    """The simulator's market of ``symbol`` from ``start`` to ``end`` (ticking outside
    the sessions too when ``sim.ignore_sessions``, as the server does): the bars it
    finished, and the walk to save."""
    calendar = TradingCalendar.gold(settings.holidays)
    walk = RandomWalk(settings.sim, settings.contract_spec, calendar, saved={})
    builder = BarBuilder(symbol)
    step = timedelta(seconds=walk.interval)
    bars: list[Bar] = []
    now = start
    while now < end:
        if settings.sim.ignore_sessions or calendar.in_session(now):
            (tick,) = walk.snapshot(now, [symbol])
            bar = builder.update(tick)
            if bar is not None:
                bars.append(bar)
        now += step
    return bars, walk


async def _save_bars(url: str, bars: list[Bar]) -> None:
    engine = create_engine(url)
    try:
        repository = BarRepository(session_factory(engine))
        for bar in bars:
            await repository.save(bar)
    finally:
        await engine.dispose()


def leave_history(settings: Settings, symbol: str, hours: float) -> list[Bar]:
    """Write ``hours`` of the simulator's market, ending now, into ``settings``' data
    folder (its database must exist: the server kit's credentials create it)."""
    end = datetime.now(EXCHANGE_TZ)
    start = (end - timedelta(hours=hours)).replace(second=0, microsecond=0)
    bars, walk = run_market(settings, symbol, start, end)
    # In a thread of its own: Playwright's sync API may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _save_bars(settings.sqlalchemy_url, bars)).result()
    state = SimState.fresh(settings.sim.account_id, settings.sim.capital)
    state.markets.update(walk.states())
    save_state(state, settings.data_dir / STATE_FILE_NAME)
    return bars


def history_settings(data_dir: Path, symbol: str, sim: dict[str, str]) -> Settings:
    """The settings the server kit's server runs with, for the parts that shape the
    market: its data folder, its main contract and its ``ARBIG_SIM__*`` environment."""
    prefix = "ARBIG_SIM__"
    fields = {k[len(prefix) :].lower(): v for k, v in sim.items() if k.startswith(prefix)}
    # The server kit starts the server without a config file: read none here either.
    with mock.patch.dict(os.environ):
        os.environ.pop("ARBIG_CONFIG", None)
        return Settings(
            data_dir=data_dir,
            main_contract=symbol,
            database_url=None,
            sim=SimSettings.model_validate(fields),
        )
