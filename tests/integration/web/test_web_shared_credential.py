"""Two consoles on one database, each with a data folder of its own: the operator's
credential lives in the database, so a password, a token or a revocation made through
one folder holds on the other console within a second, and a session too."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webkit import PASSWORD, make_settings, wait_for

from arbig.cli.main import app as cli
from arbig.embedded import embedded_app

NEW_PASSWORD = "another pass phrase"
# Each console re-reads the credential within a second of a change (a wrong password is
# tried once only: failed logins cost a delay).
RELOAD_S = 2.0


def arbig(*args: str, database: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=stdin, env={"ARBIG_DATABASE_URL": database})
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def consoles(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, str, Path, Path]]:
    database = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    arbig("db", "init", database=database)
    one, two = tmp_path / "one", tmp_path / "two"
    apps = [
        embedded_app(make_settings(folder).model_copy(update={"database_url": database}))
        for folder in (one, two)
    ]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second, database, one, two


def status(client: TestClient, headers: dict[str, str] | None = None) -> int:
    return client.get("/api/v1/account", headers=headers).status_code


def signs_in(client: TestClient, password: str) -> bool:
    answer = client.post("/api/v1/auth/login", json={"password": password})
    return answer.status_code == 200


def test_a_password_set_through_one_console_signs_in_on_the_other(
    consoles: tuple[TestClient, TestClient, str, Path, Path],
) -> None:
    first, second, database, one, _ = consoles

    arbig("auth", "set-password", "--data-dir", str(one), database=database, stdin=PASSWORD)

    time.sleep(RELOAD_S)
    assert signs_in(second, PASSWORD)
    assert signs_in(first, PASSWORD)
    assert not list(one.parent.glob("*/credentials.json"))  # nothing kept in the folders


def test_a_token_made_on_one_works_on_the_other_and_a_revocation_on_that_one_holds_on_both(
    consoles: tuple[TestClient, TestClient, str, Path, Path],
) -> None:
    first, second, database, one, two = consoles

    token = arbig("auth", "create-token", "scripts", "--data-dir", str(one), database=database)
    headers = {"Authorization": f"Bearer {token}"}
    wait_for(lambda: status(second, headers) == 200 and status(first, headers) == 200, 3)

    arbig("auth", "revoke-token", "scripts", "--data-dir", str(two), database=database)

    wait_for(lambda: status(first, headers) == 401 and status(second, headers) == 401, 3)


def test_a_session_opened_on_one_is_valid_on_the_other_until_the_password_changes(
    consoles: tuple[TestClient, TestClient, str, Path, Path],
) -> None:
    first, second, database, one, two = consoles
    arbig("auth", "set-password", "--data-dir", str(one), database=database, stdin=PASSWORD)
    time.sleep(RELOAD_S)
    assert signs_in(first, PASSWORD)
    second.cookies.set("arbig_session", first.cookies["arbig_session"])
    assert status(second) == 200  # signed with the one secret both consoles read

    arbig("auth", "set-password", "--data-dir", str(two), database=database, stdin=NEW_PASSWORD)

    assert status(first) == status(second) == 401  # its record is gone, at once
    time.sleep(RELOAD_S)
    assert signs_in(first, NEW_PASSWORD)
    assert not signs_in(second, PASSWORD)
    assert signs_in(second, NEW_PASSWORD)
