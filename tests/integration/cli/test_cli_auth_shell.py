"""``arbig auth`` run as a real command, its password piped by a shell."""

from pathlib import Path

from clirun import arbig

from arbig.auth.credentials import CredentialStore

GOOD = "correct horse battery"


def test_a_password_piped_by_a_real_shell_is_set(tmp_path: Path) -> None:
    outcome = arbig("auth", "set-password", "--data-dir", "data", cwd=tmp_path, stdin=f"{GOOD}\n")

    assert outcome.code == 0, outcome.stderr
    assert CredentialStore(tmp_path / "data").load().verify_password(GOOD)
