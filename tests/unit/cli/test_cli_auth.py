"""``arbig auth``: the operator password and API tokens, kept in the data folder."""

from pathlib import Path

import pytest
from clikit import invoke

from arbig.auth.credentials import CredentialStore, token_digest

GOOD = "correct horse battery"


def store(data: Path) -> CredentialStore:
    return CredentialStore(data)


def set_password(data: Path, password: str) -> None:
    creds = store(data).load()
    creds.set_password(password)
    store(data).save(creds)


def test_a_piped_password_is_set(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin=f"{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "operator password set in" in result.stdout
    creds = store(data).load()
    assert creds.verify_password(GOOD)
    assert not creds.verify_password(GOOD + "!")


def test_a_new_password_replaces_the_old_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_password(data, "the old password")

    invoke("auth", "set-password", "--data-dir", str(data), stdin=f"{GOOD}\n")

    creds = store(data).load()
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
    before = store(data).path.read_bytes()

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin=piped)

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"arbig: {reason}; nothing was changed"]
    assert store(data).path.read_bytes() == before
    assert store(data).load().verify_password("the old password")


def test_a_refused_first_password_leaves_no_credential_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"

    result = invoke("auth", "set-password", "--data-dir", str(data), stdin="short\n")

    assert result.exit_code == 2
    assert not store(data).load().configured


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
    assert token not in store(data).path.read_text()
    assert store(data).load().token_name(token) == "scripts"
    assert token_digest(token) in store(data).path.read_text()


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

    assert store(data).load().verify_password(GOOD)


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
    assert store(data).load().token_name(token) is None
    assert invoke("auth", "tokens", "--data-dir", str(data)).stdout.strip() == "no API tokens"


def test_revoking_an_unknown_token_fails_clearly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    invoke("auth", "create-token", "scripts", "--data-dir", str(data))

    result = invoke("auth", "revoke-token", "ghost", "--data-dir", str(data))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["arbig: no token named 'ghost'"]
    listed = invoke("auth", "tokens", "--data-dir", str(data)).stdout
    assert listed.startswith("scripts\t")


def test_auth_commands_read_the_data_folder_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text(f'data_dir = "{tmp_path / "elsewhere"}"\n')

    result = invoke("auth", "create-token", "scripts", "--config", str(config))

    assert result.exit_code == 0, result.output
    assert store(tmp_path / "elsewhere").load().tokens[0].name == "scripts"


def test_auth_commands_refuse_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "arbig.toml"
    config.write_text('port = "eighty"\n')

    result = invoke("auth", "tokens", "--config", str(config))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "arbig: setting port (env ARBIG_PORT): Input should be a valid integer, "
        "unable to parse string as an integer (got 'eighty')"
    ]
