"""``arbig auth``: the operator password and API tokens, kept in the database (here the
data folder's SQLite, created by the first command), an old ``credentials.json``
imported once."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import port_taken
from typer.testing import CliRunner, Result

from arbig.auth.credential_file import CredentialFile
from arbig.auth.credentials import Credentials, token_digest
from arbig.cli.main import app
from arbig.storage.credential_store import SqlCredentialStore
from arbig.storage.database import create_engine, session_factory

GOOD = "correct horse battery"


@pytest.fixture(autouse=True)
def no_arbig_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("ARBIG_"):
            monkeypatch.delenv(key)
    yield


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def stored(data: Path) -> Credentials | None:
    """The credential in the data folder's SQLite database, as the console reads it."""

    async def read() -> Credentials | None:
        engine = create_engine(f"sqlite+aiosqlite:///{data / 'arbig.sqlite3'}")
        try:
            return await SqlCredentialStore(session_factory(engine)).load()
        finally:
            await engine.dispose()

    return asyncio.run(read())


def credential(data: Path) -> Credentials:
    found = stored(data)
    assert found is not None
    return found


def set_password(data: Path, password: str) -> None:
    result = invoke("auth", "set-password", "--data-dir", str(data), stdin=f"{password}\n")
    assert result.exit_code == 0, result.output


def test_a_piped_password_is_set_in_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin=f"{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "operator password set in the database at sqlite+aiosqlite:///" in result.stdout
    creds = credential(data)
    assert creds.verify_password(GOOD)
    assert not creds.verify_password(GOOD + "!")
    assert not (data / "credentials.json").exists()


def test_a_new_password_replaces_the_old_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_password(data, "the old password")

    set_password(data, GOOD)

    creds = credential(data)
    assert creds.verify_password(GOOD)
    assert not creds.verify_password("the old password")


@pytest.mark.parametrize(
    ("piped", "reason"),
    [
        ("\n", "the password is empty"),
        ("", "the password is empty"),
        ("   \n", "the password is empty"),
        ("short\n", "the password is shorter than 10 characters"),
    ],
    ids=["empty-line", "nothing", "blank", "short"],
)
def test_an_empty_or_short_password_is_refused_and_nothing_changes(
    tmp_path: Path, piped: str, reason: str
) -> None:
    data = tmp_path / "data"
    set_password(data, "the old password")
    before = credential(data).version

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin=piped)

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"arbig: {reason}; nothing was changed"]
    assert credential(data).version == before
    assert credential(data).verify_password("the old password")


def test_a_refused_first_password_leaves_no_credential_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin="short\n")

    assert result.exit_code == 2
    assert not (data / "arbig.sqlite3").exists()


def test_a_created_token_is_printed_once_and_listed_by_name(tmp_path: Path) -> None:
    data = tmp_path / "data"

    created = invoke("auth", "create-token", "scripts", "--data-dir", str(data))
    listed = invoke("auth", "tokens", "--data-dir", str(data))

    assert created.exit_code == 0, created.output
    [token] = created.stdout.splitlines()
    assert token.startswith("arbig_")
    assert listed.exit_code == 0
    [row] = listed.stdout.splitlines()
    assert row.split("\t")[0] == "scripts"
    assert token not in listed.stdout
    # Only a digest is kept: the token cannot be shown again.
    creds = credential(data)
    assert [t.digest for t in creds.tokens] == [token_digest(token)]
    assert creds.token_name(token) == "scripts"


def test_each_token_is_different(tmp_path: Path) -> None:
    data = str(tmp_path / "data")

    first = invoke("auth", "create-token", "one", "--data-dir", data).stdout.strip()
    second = invoke("auth", "create-token", "two", "--data-dir", data).stdout.strip()

    assert first != second
    listed = invoke("auth", "tokens", "--data-dir", data).stdout
    assert [row.split("\t")[0] for row in listed.splitlines()] == ["one", "two"]


def test_a_token_name_can_be_used_once(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    invoke("auth", "create-token", "scripts", "--data-dir", data)

    again = invoke("auth", "create-token", "scripts", "--data-dir", data)

    assert again.exit_code == 2
    assert again.stderr.splitlines() == ["arbig: a token named 'scripts' exists; revoke it first"]
    assert again.stdout == ""


def test_creating_a_token_keeps_the_password(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_password(data, GOOD)

    invoke("auth", "create-token", "scripts", "--data-dir", str(data))

    assert credential(data).verify_password(GOOD)


def test_no_tokens_is_said_plainly(tmp_path: Path) -> None:
    result = invoke("auth", "tokens", "--data-dir", str(tmp_path / "data"))

    assert result.exit_code == 0
    assert result.stdout.strip() == "no API tokens"


def test_a_revoked_token_is_gone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    token = invoke("auth", "create-token", "scripts", "--data-dir", str(data)).stdout.strip()

    revoked = invoke("auth", "revoke-token", "scripts", "--data-dir", str(data))

    assert revoked.exit_code == 0
    assert "token 'scripts' revoked" in revoked.stdout
    assert credential(data).token_name(token) is None
    assert invoke("auth", "tokens", "--data-dir", str(data)).stdout.strip() == "no API tokens"


def test_revoking_an_unknown_token_fails_clearly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    invoke("auth", "create-token", "scripts", "--data-dir", str(data))

    result = invoke("auth", "revoke-token", "ghost", "--data-dir", str(data))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["arbig: no token named 'ghost'"]
    listed = invoke("auth", "tokens", "--data-dir", str(data)).stdout
    assert listed.startswith("scripts\t")


def test_an_old_credential_file_is_imported_once_and_set_aside(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = CredentialFile(data)
    creds = old.load()
    creds.set_password(GOOD)
    token = creds.add_token("scripts")
    old.save(creds)

    listed = invoke("auth", "tokens", "--data-dir", str(data))

    assert listed.stdout.startswith("scripts\t"), listed.output
    assert "credentials.json imported into the database" in listed.stderr
    imported = credential(data)
    assert imported.verify_password(GOOD)
    assert imported.token_name(token) == "scripts"
    assert imported.secret == creds.secret  # cookies signed before the upgrade stay valid
    assert not old.path.exists()
    assert (data / "credentials.json.imported").exists()

    # A file put back later is not read: the database's credential wins.
    other = Credentials()
    other.set_password("another password")
    old.save(other)
    invoke("auth", "tokens", "--data-dir", str(data))
    assert credential(data).verify_password(GOOD)
    assert not old.path.exists()


def test_auth_commands_read_the_data_folder_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text(f'data_dir = "{tmp_path / "elsewhere"}"\n')

    result = invoke("auth", "create-token", "scripts", "--config", str(config))

    assert result.exit_code == 0, result.output
    assert credential(tmp_path / "elsewhere").tokens[0].name == "scripts"


def test_auth_commands_refuse_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('port = "eighty"\n')

    result = invoke("auth", "tokens", "--config", str(config))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "arbig: setting port (env ARBIG_PORT): Input should be a valid integer, "
        "unable to parse string as an integer (got 'eighty')"
    ]


def test_an_unreachable_database_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with port_taken() as port:  # released at once: nobody listens there
        pass
    monkeypatch.setenv("ARBIG_DATABASE_URL", f"postgresql+asyncpg://nobody@127.0.0.1:{port}/x")

    result = invoke("auth", "create-token", "scripts", "--data-dir", str(tmp_path / "data"))

    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("arbig: cannot use the database at postgresql+asyncpg://"), line
    assert line.endswith("; no token was created"), line
