"""The strategy and risk REST API on the real embedded system (sim at 20x, SQLite)."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from arbig.auth.credential_file import CredentialFile
from arbig.config import Settings, SimSettings, StrategySettings
from arbig.embedded import embedded_app

PASSWORD = "correct horse battery"
SYMBOL = "au2612"
FAST = {"source": "tick", "fast": 3, "slow": 8}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        main_contract=SYMBOL,
        sim=SimSettings(speed=20, seed=11),
        strategy=StrategySettings(name="ma_crossover", params=FAST),
    )
    store = CredentialFile(settings.data_dir)
    creds = store.load()
    creds.set_password(PASSWORD)
    store.save(creds)
    with TestClient(embedded_app(settings), base_url="http://127.0.0.1:8000") as client:
        response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
        yield client, {"X-CSRF-Token": response.json()["csrf_token"]}


def wait_for(predicate: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"condition not met within {timeout} s")


def test_start_trigger_refuse_second_update_params_and_stop(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, csrf = api
    names = [s["name"] for s in client.get("/api/v1/strategies").json()]
    assert names == ["donchian", "ma_crossover"]
    assert client.get("/api/v1/strategies/status").json()["state"] == "stopped"

    unconfirmed = client.post("/api/v1/strategies/ma_crossover/start", json={}, headers=csrf)
    assert unconfirmed.status_code == 422
    started = client.post(
        "/api/v1/strategies/ma_crossover/start", json={"confirm": True}, headers=csrf
    )
    assert started.status_code == 200, started.text
    assert started.json()["state"] == "running"

    triggers = wait_for(lambda: client.get("/api/v1/strategies/triggers").json())
    assert triggers[0]["strategy_name"] == "ma_crossover"
    assert "crossed" in triggers[0]["condition"]

    second = client.post("/api/v1/strategies/donchian/start", json={"confirm": True}, headers=csrf)
    assert second.status_code == 409
    assert "one strategy at a time" in second.json()["detail"]

    bad = client.put(
        "/api/v1/strategies/ma_crossover/params",
        json={"params": {"fast": 9, "slow": 3}},
        headers=csrf,
    )
    assert bad.status_code == 422 and "shorter than slow" in bad.json()["detail"]
    for symbol in ("AU", "au9999", "xx1234"):  # refused before the answer, naming the field
        unknown = client.put(
            "/api/v1/strategies/ma_crossover/params",
            json={"params": {**FAST, "symbol": symbol}},
            headers=csrf,
        )
        assert unknown.status_code == 422, unknown.text
        assert f"symbol: '{symbol}'" in unknown.json()["detail"]
    good = client.put(
        "/api/v1/strategies/ma_crossover/params",
        json={"params": {**FAST, "slow": 10}},
        headers=csrf,
    )
    assert "until it is restarted" in good.json()["message"]

    stopped = client.post("/api/v1/strategies/stop", json={"confirm": True}, headers=csrf)
    assert stopped.json()["state"] == "stopped"
    assert stopped.json()["working_orders"] == 0


def test_emergency_stop_halts_refuses_orders_and_needs_a_reason_to_reset(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, csrf = api
    client.post("/api/v1/strategies/ma_crossover/start", json={"confirm": True}, headers=csrf)
    stop = client.post(
        "/api/v1/risk/emergency-stop",
        json={"confirm": True, "reason": "test", "flatten": True},
        headers=csrf,
    )
    assert stop.status_code == 200, stop.text
    assert stop.json()["status"]["state"] == "halted"
    again = client.post("/api/v1/risk/emergency-stop", json={"confirm": True}, headers=csrf)
    assert again.json()["already_engaged"] is True
    assert client.get("/api/v1/strategies/status").json()["state"] == "stopped"

    tick = wait_for(lambda: client.get(f"/api/v1/market/{SYMBOL}/tick").json().get("ask_price"))
    order = client.post(
        "/api/v1/orders",
        json={"symbol": SYMBOL, "side": "buy", "price": tick, "volume": 1},
        headers=csrf,
    )
    assert order.status_code == 422
    assert order.json()["detail"].startswith("trading_state:")
    refused = client.post(
        "/api/v1/strategies/ma_crossover/start", json={"confirm": True}, headers=csrf
    )
    assert refused.status_code == 409 and "emergency stop" in refused.json()["detail"]

    no_reason = client.post(
        "/api/v1/risk/emergency-stop/reset", json={"confirm": True, "reason": ""}, headers=csrf
    )
    assert no_reason.status_code == 422
    reset = client.post(
        "/api/v1/risk/emergency-stop/reset",
        json={"confirm": True, "reason": "checked"},
        headers=csrf,
    )
    assert reset.json()["state"] == "active"
    actions = [e["action"] for e in client.get("/api/v1/audit").json()]
    assert {"emergency_stop", "emergency_reset", "strategy_start"} <= set(actions)
