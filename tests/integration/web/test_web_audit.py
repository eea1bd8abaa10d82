"""One audit path: the core writes every operator command with its outcome before it
answers, refuses a command it cannot audit, and never lets the audit trail stand in
the way of the emergency stop."""

import sqlite3

from fastapi.testclient import TestClient

from arbig.config import Settings

H = "X-CSRF-Token"


def entries(client: TestClient, action: str) -> list[dict[str, object]]:
    response = client.get("/api/v1/audit", params={"action": action})
    assert response.status_code == 200, response.text
    return list(response.json())


def break_the_audit_trail(settings: Settings) -> None:
    with sqlite3.connect(settings.data_dir / "arbig.sqlite3") as db:
        db.execute("DROP TABLE audit_log")


def test_a_command_is_audited_with_its_outcome(client: TestClient, csrf: str) -> None:
    done = client.put(
        "/api/v1/risk/state", json={"state": "reducing", "reason": "lunch"}, headers={H: csrf}
    )
    assert done.status_code == 200, done.text
    (entry,) = entries(client, "trading_state")
    assert (entry["actor"], entry["result"], entry["detail"]) == (
        "operator",
        "reducing",
        {"reason": "lunch"},
    )
    assert entry["source_address"] == "testclient"


def test_a_refused_command_is_audited_as_refused_with_the_reason(
    client: TestClient, csrf: str
) -> None:
    refused = client.post(
        "/api/v1/risk/emergency-stop/reset",
        json={"confirm": True, "reason": "nothing to reset"},
        headers={H: csrf},
    )
    assert refused.status_code == 409
    (entry,) = entries(client, "emergency_reset")
    assert entry["result"] == "refused"
    assert entry["detail"] == {"reason": refused.json()["detail"]}


def test_a_command_that_cannot_be_audited_is_refused_and_not_carried_out(
    client: TestClient, csrf: str, settings: Settings
) -> None:
    break_the_audit_trail(settings)
    refused = client.put(
        "/api/v1/risk/state", json={"state": "halted", "reason": "test"}, headers={H: csrf}
    )
    assert refused.status_code == 503
    assert "audit trail cannot be written" in refused.json()["detail"]
    assert client.get("/api/v1/risk/state").json()["state"] == "active"


def test_the_emergency_stop_acts_when_the_audit_trail_cannot_be_written(
    client: TestClient, csrf: str, settings: Settings
) -> None:
    break_the_audit_trail(settings)
    stop = client.post(
        "/api/v1/risk/emergency-stop",
        json={"confirm": True, "reason": "db gone"},
        headers={H: csrf},
    )
    assert stop.status_code == 200, stop.text
    report = stop.json()
    assert report["status"]["state"] == "halted"
    assert any(error.startswith("audit trail not written") for error in report["errors"])
    assert client.get("/api/v1/risk/state").json()["emergency"] is True
