"""`arbig run --role core|web`: what a role lacks is said in one line before anything
starts (the conftest clears every ARBIG_* variable)."""

import socket

import pytest
from clikit import invoke


@pytest.mark.parametrize("role", ["core", "web"])
def test_a_role_without_database_and_redis_names_both_in_one_line(role: str) -> None:
    result = invoke("run", "--role", role)

    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "ARBIG_DATABASE_URL and ARBIG_REDIS_URL" in lines[0]
    assert f"--role {role}" in lines[0]


def test_a_role_on_sqlite_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARBIG_DATABASE_URL", "sqlite+aiosqlite:///x.sqlite3")
    monkeypatch.setenv("ARBIG_REDIS_URL", "redis://127.0.0.1:1/0")

    result = invoke("run", "--role", "web")

    assert result.exit_code == 2
    assert "not SQLite" in result.output


def test_an_unknown_role_is_refused() -> None:
    result = invoke("run", "--role", "standby")

    assert result.exit_code == 2
    assert "unknown role 'standby': expected core or web" in result.output


def test_a_core_whose_probe_port_is_taken_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARBIG_DATABASE_URL", "mysql+asyncmy://nobody@127.0.0.1:1/x")
    monkeypatch.setenv("ARBIG_REDIS_URL", "redis://127.0.0.1:1/0")
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        monkeypatch.setenv("ARBIG_PROBE__PORT", str(port))

        result = invoke("run", "--role", "core")

    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert f"the core's probe port {port} on 127.0.0.1 is in use" in line
    assert "ARBIG_PROBE__PORT" in line and "0 for no probe listener" in line
