"""Operator orders while the database hangs: the intent is written ahead or the order is
refused, promptly and with a clear error, and nothing reaches the exchange unrecorded."""

import sqlite3
import time
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from webkit import SYMBOL, wait_for

from arbig.config import Settings
from arbig.host.audited import WRITE_WAIT_S

pytestmark = pytest.mark.integration


def test_an_order_whose_intent_cannot_be_written_is_refused_and_never_sent(
    client: TestClient, csrf: str, settings: Settings
) -> None:
    ask = wait_for(lambda: client.get(f"/api/v1/market/{SYMBOL}/tick").json().get("ask_price"))
    body = {"symbol": SYMBOL, "side": "buy", "price": str(Decimal(ask) + 1), "volume": 1}
    before = client.get("/api/v1/orders").json()
    # Another connection holds SQLite's write lock: every write waits for it.
    holder = sqlite3.connect(settings.data_dir / "arbig.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf})
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert response.status_code == 503
    assert "audit trail cannot be written" in response.json()["detail"]
    assert took < WRITE_WAIT_S + 1.5  # not the database's own 5 s lock timeout
    assert client.get("/api/v1/orders").json() == before  # nothing reached the exchange
