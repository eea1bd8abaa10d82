"""``arbig run`` when the system fails to come up after the preflight passed: the
server has started, the gateway's session never trades. The operator gets one line
naming the step, exit code 1, and no traceback from the server's start-up."""

import socket
from pathlib import Path

from clirun import arbig


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_ctp_front_that_never_answers_ends_start_up_in_one_line(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as nothing:
        nothing.bind(("127.0.0.1", 0))
        front = f"tcp://127.0.0.1:{nothing.getsockname()[1]}"  # bound, never listening
        env = {
            "ARBIG_CTP__TD_FRONTS": f'["{front}"]',
            "ARBIG_CTP__MD_FRONTS": f'["{front}"]',
            "ARBIG_CTP__BROKER_ID": "9999",
            "ARBIG_CTP__INVESTOR_ID": "000001",
            "ARBIG_CTP__APP_ID": "simnow_client_test",
            "ARBIG_CTP__PASSWORD": "not-a-real-password",
            "ARBIG_CTP__AUTH_CODE": "0000000000000000",
            "ARBIG_CTP__CAPITAL": "1000000",
            "ARBIG_CTP__CONNECT_TIMEOUT_S": "2",
        }
        outcome = arbig(
            "run",
            "--gateway",
            "ctp",
            "--data-dir",
            "data",
            "--port",
            str(free_port()),
            cwd=tmp_path,
            env=env,
        )

    assert outcome.code == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert "Application startup failed" not in outcome.stderr
    last = outcome.stderr.strip().splitlines()[-1]
    assert last.startswith("arbig: cannot start: the gateway did not start: "), last
    assert "not trading after 2 s (step front" in last, last
    assert "not-a-real-password" not in outcome.stderr + outcome.stdout
