"""``arbig auth`` run as a real command, its password piped by a shell."""

from pathlib import Path

from clirun import arbig, port_taken

GOOD = "correct horse battery"


def test_a_password_piped_by_a_real_shell_is_set(tmp_path: Path) -> None:
    outcome = arbig("auth", "set-password", "--data-dir", "data", cwd=tmp_path, stdin=f"{GOOD}\n")

    assert outcome.code == 0, outcome.stderr
    assert "operator password set in the database" in outcome.stdout
    # `arbig run` on that folder finds it: past the password check, it stops at the port.
    with port_taken("0.0.0.0") as port:
        checked = arbig(
            "run", "--host", "0.0.0.0", "--port", str(port), "--data-dir", "data", cwd=tmp_path
        )
    assert checked.code == 2
    assert f"port {port} on 0.0.0.0 is in use" in checked.stderr, checked.stderr
