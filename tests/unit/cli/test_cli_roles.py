"""`arbig run --role core|web`: what a role lacks is said in one line before anything
starts (the conftest clears every ARBIG_* variable)."""

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


def test_the_core_role_runs_on_uvloop_as_uvicorn_runs_the_web(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    import uvloop

    from arbig import split
    from arbig.config import Settings

    loops: list[type] = []

    async def run_core(settings: Settings) -> str:
        loops.append(type(asyncio.get_running_loop()))
        return "stopped"

    monkeypatch.setattr(split, "run_core", run_core)
    split.main_core(Settings())

    assert loops == [uvloop.Loop]
