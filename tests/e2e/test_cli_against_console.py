"""The console commands of the CLI find a running console through ARBIG_URL and
authenticate with ARBIG_TOKEN, whatever the settings' host and port say."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from arbig_server import SYMBOL, ArbigServer

from arbig.domain.calendar import EXCHANGE_TZ
from arbig.holidays import calendar_warnings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArbigServer]:
    server = ArbigServer(tmp_path_factory.mktemp("cli") / "data", env={"ARBIG_SIM__SEED": "7"})
    server.start()
    yield server
    server.stop()


def run_cli(*args: str, console: ArbigServer, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARBIG_")}
    token = console.headers["Authorization"].removeprefix("Bearer ")
    env |= {"ARBIG_URL": console.base, "ARBIG_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "arbig", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_strategy_status_reaches_a_console_on_another_port_through_arbig_url(
    console: ArbigServer, tmp_path: Path
) -> None:
    assert console.port != 8000
    done = run_cli("strategy", "status", console=console, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(":")[0] in {"running", "stopped", "failed"}


def test_strategy_list_and_contract_show_use_the_same_url_and_token(
    console: ArbigServer, tmp_path: Path
) -> None:
    listed = run_cli("strategy", "list", console=console, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "ma_crossover" in listed.stdout
    shown = run_cli("contract", "show", console=console, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert SYMBOL in shown.stdout
    # and it warns about the holiday calendar as arbig.holidays says for today
    today = datetime.now(EXCHANGE_TZ).date()
    for warning in calendar_warnings(today):
        assert f"warning: {warning}" in " ".join(shown.stderr.split())


def test_strategy_params_refuses_an_unknown_contract_naming_the_field(
    console: ArbigServer, tmp_path: Path
) -> None:
    refused = run_cli(
        "strategy", "params", "donchian", "symbol=au9999", console=console, cwd=tmp_path
    )
    assert refused.returncode == 2
    assert "symbol: 'au9999': month 99 does not exist" in " ".join(refused.stderr.split())
    assert "HTTP 422" in refused.stderr and "Traceback" not in refused.stderr
    stored = run_cli(
        "strategy", "params", "donchian", f"symbol={SYMBOL}", console=console, cwd=tmp_path
    )
    assert stored.returncode == 0, stored.stderr
    assert f'symbol="{SYMBOL}"' in stored.stdout
    shown = run_cli("strategy", "params", "donchian", console=console, cwd=tmp_path)
    assert f'symbol="{SYMBOL}"' in shown.stdout


def test_account_deposit_and_withdraw_move_money_or_refuse_in_one_line(
    console: ArbigServer, tmp_path: Path
) -> None:
    deposited = run_cli("account", "deposit", "50000", "--yes", console=console, cwd=tmp_path)
    assert deposited.returncode == 0, deposited.stderr
    assert "today deposited 50000.00, withdrawn 0.00" in deposited.stdout
    refused = run_cli("account", "withdraw", "999999999", "--yes", console=console, cwd=tmp_path)
    assert refused.returncode == 2
    [line] = refused.stderr.splitlines()
    assert line.startswith("arbig: withdraw of 999999999.00 refused: cannot withdraw"), line
    assert line.endswith("(HTTP 409)"), line
    withdrawn = run_cli("account", "withdraw", "20000.50", "--yes", console=console, cwd=tmp_path)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert "today deposited 50000.00, withdrawn 20000.50" in withdrawn.stdout
