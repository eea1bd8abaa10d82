"""Helpers of the web API tests. A module of its own, not conftest: `from conftest
import` picks whichever folder's conftest was imported first when suites are mixed."""

import time
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from arbig.config import Settings, SimSettings, default_main_contract

PASSWORD = "correct horse battery"
# A listed month outside its delivery month today (opening in the delivery month is refused).
SYMBOL = default_main_contract()


def make_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        main_contract=SYMBOL,
        sim=SimSettings(speed=20, seed=11),
        snapshot_interval_s=0.2,
    )


def login(client: TestClient) -> str:
    """Sign in; returns the CSRF token for state-changing requests."""
    response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


def open_long(client: TestClient, csrf: str, volume: int = 2) -> None:
    """Buy ``volume`` lots through the ask and wait until the position shows."""
    tick = wait_for(lambda: client.get(f"/api/v1/market/{SYMBOL}/tick").json().get("ask_price"))
    price = Decimal(tick) + Decimal("0.40")
    response = client.post(
        "/api/v1/orders",
        json={"symbol": SYMBOL, "side": "buy", "price": str(price), "volume": volume},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 202, response.text
    wait_for(lambda: sum(p["volume"] for p in client.get("/api/v1/positions").json()) >= volume)
