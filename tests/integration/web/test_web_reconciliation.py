"""A book that differs from the broker's after a restart: the API shows each difference,
refuses to resume, and accepts the broker's positions as an audited adjustment."""

import sqlite3

import pytest
from fastapi.testclient import TestClient
from webkit import SYMBOL, login, open_long

from arbig.config import Settings
from arbig.embedded import embedded_app

pytestmark = pytest.mark.integration


def add_a_fill_the_broker_never_made(settings: Settings) -> None:
    with sqlite3.connect(settings.data_dir / "arbig.sqlite3") as db:
        cursor = db.execute("SELECT * FROM trades")
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        row.update(id=None, trade_id=row["trade_id"] + "-phantom")
        db.execute(
            f"INSERT INTO trades ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )


def test_the_operator_accepts_the_broker_positions_then_resumes(settings: Settings) -> None:
    with TestClient(embedded_app(settings)) as client:
        open_long(client, login(client), volume=1)
    add_a_fill_the_broker_never_made(settings)

    with TestClient(embedded_app(settings)) as client:
        csrf = {"X-CSRF-Token": login(client)}
        state = client.get("/api/v1/risk/reconciliation").json()
        assert state["halted"] and state["differences"] == [
            {"symbol": SYMBOL, "direction": "long", "book": 2, "broker": 1}
        ]
        resume = {"state": "active", "reason": "looks fine"}
        refused = client.put("/api/v1/risk/state", json=resume, headers=csrf)
        assert refused.status_code == 409
        assert "accept the broker's positions first" in refused.json()["detail"]
        without_reason = client.post(
            "/api/v1/risk/reconciliation/accept", json={"confirm": True}, headers=csrf
        )
        assert without_reason.status_code == 422

        accepted = client.post(
            "/api/v1/risk/reconciliation/accept",
            json={"confirm": True, "reason": "the broker is right"},
            headers=csrf,
        )

        assert accepted.status_code == 200, accepted.text
        assert len(accepted.json()["adjustments"]) == 1
        assert accepted.json()["reconciliation"] == {"halted": None, "differences": []}
        assert client.put("/api/v1/risk/state", json=resume, headers=csrf).status_code == 200
        [entry] = client.get("/api/v1/audit", params={"action": "reconcile_accept"}).json()
        assert entry["result"] == "ok"
