"""Browser sessions are recorded server-side: logout, a password change or
`arbig auth end-sessions` end them at once, in every console on the database."""

import time
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webkit import PASSWORD, SYMBOL, login

from arbig.cli.main import app as cli
from arbig.config import Settings
from arbig.embedded import embedded_app

WATCHLIST = {"symbols": [SYMBOL]}


def arbig(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def signed_in(client: TestClient, csrf: str) -> bool:
    """Whether the client's cookie still reads and, with ``csrf``, writes."""
    read = client.get("/api/v1/positions").status_code
    write = client.put("/api/v1/watchlist", json=WATCHLIST, headers={"X-CSRF-Token": csrf})
    assert (read == 200) == (write.status_code == 200), (read, write.text)
    return read == 200


def test_after_logout_the_old_cookie_neither_reads_nor_writes(client: TestClient) -> None:
    csrf = login(client)
    cookie = client.cookies["arbig_session"]
    assert signed_in(client, csrf)

    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200

    # The browser forgets the cookie; whoever kept a copy must not get in with it.
    client.cookies.set("arbig_session", cookie)
    assert client.get("/api/v1/positions").status_code == 401
    response = client.put("/api/v1/watchlist", json=WATCHLIST, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 401
    assert "login required" in response.json()["detail"]


def test_a_logout_ends_only_that_session(client: TestClient) -> None:
    first = login(client)
    first_cookie = client.cookies["arbig_session"]
    second = login(client)  # another browser signs in
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": second}).status_code == 200

    client.cookies.set("arbig_session", first_cookie)
    assert signed_in(client, first)


def test_a_password_change_ends_every_session(client: TestClient, settings: Settings) -> None:
    csrf = login(client)
    assert signed_in(client, csrf)

    out = arbig(
        "auth", "set-password", "--data-dir", str(settings.data_dir), stdin="new pass phrase\n"
    )

    assert "browser sessions ended: 1" in out
    assert not signed_in(client, csrf)  # at once, through the database
    time.sleep(1.5)  # the console re-reads the credential within a second of a change
    assert client.post("/api/v1/auth/login", json={"password": PASSWORD}).status_code == 401
    assert (
        client.post("/api/v1/auth/login", json={"password": "new pass phrase"}).status_code == 200
    )


def test_end_sessions_revokes_every_session_without_a_password_change(
    client: TestClient, settings: Settings
) -> None:
    csrf = login(client)
    assert signed_in(client, csrf)

    out = arbig("auth", "end-sessions", "--data-dir", str(settings.data_dir))

    assert "browser sessions ended: 1" in out
    assert not signed_in(client, csrf)
    assert signed_in(client, login(client))


def test_a_second_console_on_the_same_database_sees_the_logout(
    settings: Settings, tmp_path: Path
) -> None:
    # Two web processes share the data folder (the credential) and the SQLite file.
    with TestClient(embedded_app(settings)) as one, TestClient(embedded_app(settings)) as two:
        csrf = login(one)
        cookie = one.cookies["arbig_session"]
        two.cookies.set("arbig_session", cookie)
        assert signed_in(two, csrf)

        assert one.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200

        assert not signed_in(two, csrf)
