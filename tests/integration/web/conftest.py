"""The real embedded system (simulated exchange, SQLite in tmp_path) behind a TestClient."""

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from arbig.auth.credentials import CredentialStore
from arbig.config import Settings, SimSettings
from arbig.logs import configure_logging
from arbig.web.app import create_app

PASSWORD = "correct horse battery"
SYMBOL = "au2612"


def make_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        main_contract=SYMBOL,
        sim=SimSettings(speed=20, seed=11),
        snapshot_interval_s=0.2,
    )


@pytest.fixture(autouse=True, scope="session")
def structured_logging() -> None:
    """As `arbig run` does: structlog through the standard library (so system_logs fills)."""
    configure_logging("info")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path / "data")
    store = CredentialStore(settings.data_dir)
    creds = store.load()
    creds.set_password(PASSWORD)
    store.save(creds)
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def login(client: TestClient) -> str:
    """Sign in; returns the CSRF token for state-changing requests."""
    response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


@pytest.fixture
def csrf(client: TestClient) -> str:
    return login(client)


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
