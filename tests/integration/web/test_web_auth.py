"""Authentication: who may call what, CSRF, tokens, rate limiting, and the audit of logins."""

import re
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webkit import PASSWORD, SYMBOL, login, wait_for

from arbig.cli.main import app as cli
from arbig.config import Settings

PUBLIC = {"/api/v1/health", "/api/v1/health/live", "/api/v1/health/ready", "/api/v1/auth/login"}


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def test_every_api_route_but_health_and_login_needs_the_operator(client: TestClient) -> None:
    guarded = [(m, p) for m, p in api_routes(client) if p not in PUBLIC]
    assert len(guarded) > 10
    for method, path in guarded:
        url = re.sub(r"\{[a-z_]+\}", "au2612", path)
        response = client.request(method, url, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert "login required" in response.json()["detail"]


def test_health_answers_without_a_login(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["main_contract"] == SYMBOL
    assert set(body["components"]) >= {"gateway", "database", "tick_store"}


def test_liveness_and_readiness_answer_without_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/health/live").json() == {"status": "up"}
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200
    assert ready.json()["components"]["book"]["state"] == "up"


def test_a_wrong_password_is_refused_and_audited(client: TestClient, csrf: str) -> None:
    client.cookies.clear()
    response = client.post("/api/v1/auth/login", json={"password": "wrong password!"})
    assert response.status_code == 401
    login(client)
    actions = [(e["action"], e["result"]) for e in client.get("/api/v1/audit").json()]
    assert ("login", "failed") in actions
    assert ("login", "success") in actions


def test_logins_are_rate_limited_per_address(client: TestClient) -> None:
    for _ in range(5):
        assert (
            client.post("/api/v1/auth/login", json={"password": "nope nope nope"}).status_code
            == 401
        )
    response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert response.status_code == 429
    assert "try again" in response.json()["detail"]
    assert int(response.headers["retry-after"]) > 0


def test_failures_cost_a_growing_delay_not_a_long_lock(client: TestClient) -> None:
    # Someone else's wrong passwords from the operator's address: the operator waits
    # seconds (1 s, 2 s, 4 s ... never more than login_max_delay_s), not the window.
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"password": "nope nope nope"})
    refused = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) <= 3
    time.sleep(int(refused.headers["retry-after"]))
    assert client.post("/api/v1/auth/login", json={"password": PASSWORD}).status_code == 200


def test_the_session_cookie_is_httponly_and_strict(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"password": PASSWORD})
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("arbig_session="))
    csrf = next(c for c in cookies if c.startswith("arbig_csrf="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf


def test_a_state_change_with_a_cookie_needs_the_csrf_header(client: TestClient, csrf: str) -> None:
    body = {"symbol": "au2612", "side": "buy", "price": "100.00", "volume": 1}
    missing = client.post("/api/v1/orders", json=body)
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["detail"]
    wrong = client.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": "x" * 64})
    assert wrong.status_code == 403
    assert client.get("/api/v1/positions").status_code == 200  # reads need no CSRF header


def test_a_bearer_token_works_without_csrf_and_can_be_revoked(
    client: TestClient, settings: Settings
) -> None:
    data = ["--data-dir", str(settings.data_dir)]
    made = CliRunner().invoke(cli, ["auth", "create-token", "scripts", *data])
    token = made.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    # The running console re-reads the credential within a second of a change.
    wait_for(lambda: client.get("/api/v1/account", headers=headers).status_code == 200, 3)
    CliRunner().invoke(cli, ["auth", "revoke-token", "scripts", *data])
    wait_for(lambda: client.get("/api/v1/account", headers=headers).status_code == 401, 3)


def test_a_token_in_the_url_is_not_accepted(client: TestClient) -> None:
    assert client.get("/api/v1/account?token=anything").status_code == 401


def test_logout_ends_the_browser_session(client: TestClient, csrf: str) -> None:
    assert client.get("/api/v1/auth/me").json()["operator"] == "operator"
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("password", ["", "short", "         "])
def test_empty_or_short_passwords_are_refused(password: str) -> None:
    from arbig.auth.credentials import CredentialError, Credentials

    with pytest.raises(CredentialError):
        Credentials().set_password(password)
