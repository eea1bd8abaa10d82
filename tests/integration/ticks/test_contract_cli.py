"""`arbig contract show|set`: live against a running console, saved when none runs."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis_kit import free_port
from typer.testing import CliRunner

from arbig.cli.main import app

pytestmark = pytest.mark.integration

runner = CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARBIG_MAIN_CONTRACT", "ARBIG_TOKEN", "ARBIG_URL", "ARBIG_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_a_bad_symbol_is_refused_with_the_reason(tmp_path: Path, clean_env: None) -> None:
    result = runner.invoke(app, ["contract", "set", "au2613", "-y", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "month 13 does not exist" in result.output
    assert not (tmp_path / "arbig.sqlite3").exists()  # refused before anything is opened


def test_without_a_console_the_choice_is_saved_for_the_next_start(
    tmp_path: Path, clean_env: None
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    args = ["--url", url, "--data-dir", str(tmp_path)]
    result = runner.invoke(app, ["contract", "set", "au2702", "-y", *args])
    assert result.exit_code == 0, result.output
    assert "saved au2702 as the main contract for the next start" in result.output
    shown = runner.invoke(app, ["contract", "show", *args])
    assert shown.exit_code == 0, shown.output
    assert "main contract  au2702" in shown.output
    assert f"saved choice in {tmp_path / 'arbig.sqlite3'}" in shown.output


def test_without_a_console_an_old_market_json_is_imported_and_shown(
    tmp_path: Path, clean_env: None
) -> None:
    (tmp_path / "market.json").write_text(json.dumps({"main_contract": "au2702"}))
    url = f"http://127.0.0.1:{free_port()}"
    shown = runner.invoke(app, ["contract", "show", "--url", url, "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "main contract  au2702" in shown.output
    assert (tmp_path / "market.json.imported").exists()
    assert not (tmp_path / "market.json").exists()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBIG_")}
    env.update({"ARBIG_SIM__SPEED": "10"})
    process = subprocess.Popen(
        [sys.executable, "-m", "arbig", "run", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("arbig run did not answer within 30 s")
        yield url, data_dir
    finally:
        process.send_signal(signal.SIGINT)  # by its own PID
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_set_switches_the_running_console(console: tuple[str, Path], clean_env: None) -> None:
    url, data_dir = console
    before = httpx.get(f"{url}/api/v1/health").json()["main_contract"]
    target = "au2612" if before != "au2612" else "au2702"
    args = ["--url", url, "--data-dir", str(data_dir)]
    anonymous = runner.invoke(app, ["contract", "set", target, "-y", *args])
    assert anonymous.exit_code == 2 and "needs a credential" in anonymous.output
    made = runner.invoke(app, ["auth", "create-token", "cli-test", "--data-dir", str(data_dir)])
    token = made.output.strip().splitlines()[-1]
    deadline = time.monotonic() + 10  # the console reloads its credentials within seconds
    while True:
        result = runner.invoke(app, ["contract", "set", target, "-y", "--token", token, *args])
        if result.exit_code == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert result.exit_code == 0, result.output
    assert f"main contract switched: {before} -> {target}" in result.output
    shown = runner.invoke(app, ["contract", "show", "--token", token, *args])
    assert f"main contract  {target}" in shown.output
