"""The Backtest page's API: a run started over REST runs in its own process on the
catalog's ticks, is followed to its end and read back with its series; a request that
cannot run is refused with 422 naming the field."""

import asyncio
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webkit import login, wait_for

from arbig.api.backtests import RunSummary
from arbig.backtest.service import STOPPED
from arbig.catalog import Catalog
from arbig.catalog.synth import Synthesizer
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.embedded import embedded_app
from arbig.storage.backtests import BacktestRunStore
from arbig.storage.database import create_engine, session_factory

pytestmark = pytest.mark.integration

DAY = date(2026, 6, 2)
TICKS = 3000  # the first minutes of the night session: a run of seconds


@pytest.fixture
def recorded(settings: Settings) -> Settings:
    """A catalog holding the first ticks of one simulated trading day."""
    calendar = TradingCalendar.gold(settings.holidays)
    maker = Synthesizer(
        settings.contract_spec(settings.main_contract),
        calendar,
        start_price=settings.sim.start_price,
        volatility=0.0004,
        seed=5,
    )
    [(day, ticks)] = list(maker.days([DAY]))
    Catalog(settings.catalog_root).write_days(
        settings.main_contract, {day: ticks[:TICKS]}, source="test"
    )
    return settings


def start(client: TestClient, csrf: str, **body: Any) -> Any:
    return client.post("/api/v1/backtests", json=body, headers={"X-CSRF-Token": csrf})


def test_a_run_started_over_rest_ends_done_with_its_report(
    recorded: Settings, client: TestClient, csrf: str
) -> None:
    body = {"strategy": "ma_crossover", "params": {"fast": 3, "slow": 8, "source": "tick"}}
    response = start(client, csrf, **body, first=str(DAY), last=str(DAY))
    assert response.status_code == 200, response.text
    started = response.json()
    assert started["status"] == "running"
    assert started["symbol"] == recorded.main_contract
    run_id = started["run_id"]

    def ended() -> Any:
        run = client.get(f"/api/v1/backtests/{run_id}").json()
        return run if run["summary"]["status"] != "running" else None

    run = wait_for(ended, timeout=180, interval=0.5)
    summary, series = run["summary"], run["series"]
    assert summary["status"] == "done", summary["error"]
    assert summary["progress"] == 1.0
    assert summary["ticks"] == TICKS
    assert summary["params"] == body["params"]
    assert summary["metrics"]["trading_days"] == 1
    assert series["curve"] and series["prices"]
    assert series["trigger_count"] > 0  # 3 and 8 ticks cross within 3000 ticks
    listed = client.get("/api/v1/backtests").json()
    assert [r["run_id"] for r in listed] == [run_id]
    assert listed[0]["status"] == "done"


REFUSED = [
    ({"strategy": "no_such"}, "strategy"),
    ({"strategy": "ma_crossover", "params": {"fast": 0}}, "params"),
    ({"strategy": "ma_crossover", "params": {"speed": 3}}, "params"),
    ({"strategy": "ma_crossover", "symbol": "zz9999"}, "symbol"),
    ({"strategy": "ma_crossover", "first": "2026-06-05", "last": "2026-06-01"}, "last"),
    ({"strategy": "ma_crossover", "first": "2030-01-02"}, "first"),
    ({"strategy": "ma_crossover", "first": "06/02/2026"}, "first"),
    ({"strategy": "ma_crossover", "mode": "minutes"}, "mode"),
    ({"strategy": "ma_crossover", "capital": "-5"}, "capital"),
]


def test_a_run_that_cannot_run_is_refused_naming_the_field(
    recorded: Settings, client: TestClient, csrf: str
) -> None:
    for body, field in REFUSED:
        response = start(client, csrf, **body)
        assert response.status_code == 422, (body, response.text)
        errors = response.json()["errors"]
        assert [e["loc"][1] for e in errors] == [field], (body, errors)
    assert client.get("/api/v1/backtests").json() == []


def test_an_unknown_run_is_404(client: TestClient) -> None:
    login(client)
    assert client.get("/api/v1/backtests/" + "0" * 32).status_code == 404


def test_a_run_under_way_when_the_console_stops_is_recorded_as_stopped(
    recorded: Settings,
) -> None:
    with TestClient(embedded_app(recorded)) as client:
        csrf = login(client)
        response = start(client, csrf, strategy="ma_crossover", first=str(DAY))
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "running"

    async def stored() -> list[RunSummary]:
        engine = create_engine(recorded.sqlalchemy_url)
        try:
            return await BacktestRunStore(session_factory(engine)).runs()
        finally:
            await engine.dispose()

    [run] = asyncio.run(stored())
    assert run.status == "failed"
    assert run.error == STOPPED
    assert run.finished_at is not None
