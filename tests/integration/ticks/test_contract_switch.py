"""A main-contract switch end to end: the API, the saved choice, the Redis streams
(on a private redis-server), the audit trail, and the next start."""

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from redis_kit import PrivateRedis

from arbig.auth.credential_file import CredentialFile
from arbig.config import Settings, SimSettings
from arbig.domain.state import MarketChoice
from arbig.embedded import embedded_app
from arbig.storage.database import create_engine, session_factory
from arbig.storage.state_store import SqlStateStore

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
OLD, NEW = "au2612", "au2702"


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"condition not met within {timeout} s")


@pytest.fixture
def settings(
    tmp_path: Path, private_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.delenv("ARBIG_MAIN_CONTRACT", raising=False)
    settings = Settings(
        data_dir=tmp_path / "data",
        main_contract=OLD,
        redis_url=private_redis.url,
        sim=SimSettings(speed=20, seed=3),
    )
    store = CredentialFile(settings.data_dir)
    creds = store.load()
    creds.set_password(PASSWORD)
    store.save(creds)
    return settings


def saved_choice(settings: Settings) -> MarketChoice:
    """The market choice as the state store holds it (read beside the running app)."""

    async def read() -> MarketChoice:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            return await SqlStateStore(session_factory(engine)).load_market_choice()
        finally:
            await engine.dispose()

    return asyncio.run(read())


def login(client: TestClient) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": str(response.json()["csrf_token"])}


def test_switching_the_main_contract_end_to_end(
    settings: Settings, private_redis: PrivateRedis
) -> None:
    streams = redis.Redis.from_url(private_redis.url)
    with TestClient(embedded_app(settings)) as client:
        csrf = login(client)
        wait_for(lambda: streams.xlen(f"market_data:{OLD}") > 0)
        assert client.get("/api/v1/contract").json()["main_contract"] == OLD

        for bad, why in (
            ("au2613", "month 13"),
            ("ag2702", "product 'ag' is not in the contract table"),
        ):
            refused = client.put(
                "/api/v1/contract", json={"symbol": bad, "confirm": True}, headers=csrf
            )
            assert refused.status_code == 422 and why in refused.json()["detail"]
        unconfirmed = client.put("/api/v1/contract", json={"symbol": NEW}, headers=csrf)
        assert unconfirmed.status_code == 422

        switched = client.put(
            "/api/v1/contract", json={"symbol": NEW, "confirm": True}, headers=csrf
        )
        assert switched.status_code == 200, switched.text
        assert switched.json() == {"main_contract": NEW, "previous": OLD, "changed": True}

        assert saved_choice(settings).main_contract == NEW
        wait_for(lambda: streams.xlen(f"market_data:{NEW}") > 0)
        time.sleep(0.3)  # ticks of the old contract would have arrived by now
        assert streams.exists(f"market_data:{OLD}") == 0
        assert client.get(f"/api/v1/market/{NEW}/tick").status_code == 200
        assert client.get("/api/v1/health").json()["main_contract"] == NEW
        info = client.get("/api/v1/contract").json()
        assert NEW in info["subscribed"] and OLD not in info["subscribed"]

        trail = client.get("/api/v1/audit", params={"action": "contract_switch"}).json()
        results = sorted(entry["result"] for entry in trail)
        assert results == ["ok", "refused", "refused"]

        bars = client.get(f"/api/v1/market/{NEW}/bars", params={"current": "true"})
        assert bars.status_code == 200 and bars.json()[-1]["symbol"] == NEW

    # The choice survives a restart.
    with TestClient(embedded_app(settings)) as client:
        login(client)
        assert client.get("/api/v1/contract").json()["main_contract"] == NEW
    streams.close()


def test_the_environment_variable_still_wins_at_start_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "market.json").write_text(json.dumps({"main_contract": NEW}))
    monkeypatch.setenv("ARBIG_MAIN_CONTRACT", OLD)
    with TestClient(embedded_app(settings)) as client:
        login(client)
        assert client.get("/api/v1/contract").json()["main_contract"] == OLD
    assert saved_choice(settings).main_contract == NEW  # imported, just not used


def test_an_old_market_json_is_imported_once_then_kept_aside(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    old = settings.data_dir / "market.json"
    old.write_text(json.dumps({"main_contract": NEW, "watchlist": [OLD]}))
    with TestClient(embedded_app(settings)) as client:
        login(client)
        assert client.get("/api/v1/contract").json()["main_contract"] == NEW
        assert client.get("/api/v1/watchlist").json() == {"symbols": [OLD]}
    assert not old.exists()
    assert (settings.data_dir / "market.json.imported").exists()
    # A file put back is not read again: the table already holds the choice.
    old.write_text(json.dumps({"main_contract": OLD}))
    with TestClient(embedded_app(settings)) as client:
        login(client)
        assert client.get("/api/v1/contract").json()["main_contract"] == NEW


def test_the_watchlist_is_subscribed_and_saved(settings: Settings) -> None:
    with TestClient(embedded_app(settings)) as client:
        csrf = login(client)
        refused = client.put("/api/v1/watchlist", json={"symbols": ["au9901"]}, headers=csrf)
        assert refused.status_code == 422 and "listed" in refused.json()["detail"]
        response = client.put("/api/v1/watchlist", json={"symbols": [NEW]}, headers=csrf)
        assert response.json() == {"symbols": [NEW]}
        wait_for(lambda: client.get(f"/api/v1/market/{NEW}/tick").status_code == 200)
    with TestClient(embedded_app(settings)) as client:
        login(client)
        assert client.get("/api/v1/watchlist").json() == {"symbols": [NEW]}
        assert NEW in client.get("/api/v1/contract").json()["subscribed"]
