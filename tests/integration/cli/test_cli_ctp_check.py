"""``arbig ctp check`` against fronts that never answer: it ends at its timeout, with
one line saying which step it was waiting in. The real CTP library runs here."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clirun import arbig

TIMEOUT_S = 3
# the child's own start (imports) comes on top of the check's timeout on a loaded machine
STARTUP_ALLOWANCE_S = 30


def ctp_env(front: str) -> dict[str, str]:
    return {
        "ARBIG_CTP__TD_FRONTS": f'["{front}"]',
        "ARBIG_CTP__BROKER_ID": "9999",
        "ARBIG_CTP__INVESTOR_ID": "123456",
        "ARBIG_CTP__PASSWORD": "a-password",
        "ARBIG_CTP__APP_ID": "simnow_client_test",
        "ARBIG_CTP__AUTH_CODE": "0000000000000000",
    }


@contextmanager
def silent_front() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def check(tmp_path: Path, front: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    outcome = arbig(
        "ctp",
        "check",
        "--timeout",
        str(TIMEOUT_S),
        "--data-dir",
        "data",
        cwd=tmp_path,
        env=ctp_env(front),
    )
    return outcome.code, outcome.stdout, outcome.stderr, time.monotonic() - started


def test_a_front_that_accepts_and_says_nothing_ends_at_the_timeout(tmp_path: Path) -> None:
    with silent_front() as port:
        code, _out, err, took = check(tmp_path, f"tcp://127.0.0.1:{port}")
    assert code == 1, err
    [line] = err.splitlines()
    assert line.startswith(
        f"arbig: CTP check failed at step front: no connection to "
        f"tcp://127.0.0.1:{port} within {TIMEOUT_S} s"
    ), line
    assert "a-password" not in err
    assert TIMEOUT_S <= took < TIMEOUT_S + STARTUP_ALLOWANCE_S


def test_a_front_where_nothing_listens_ends_at_the_timeout(tmp_path: Path) -> None:
    port = free_port()
    code, _out, err, took = check(tmp_path, f"tcp://127.0.0.1:{port}")
    assert code == 1, err
    [line] = err.splitlines()
    assert f"no connection to tcp://127.0.0.1:{port} within {TIMEOUT_S} s" in line
    assert took < TIMEOUT_S + STARTUP_ALLOWANCE_S


def test_missing_settings_are_named_before_anything_connects(tmp_path: Path) -> None:
    outcome = arbig("ctp", "check", "--data-dir", "data", cwd=tmp_path)
    assert outcome.code == 1
    assert outcome.stderr.strip() == (
        "arbig: CTP check failed at step settings: CTP settings missing: ctp.td_fronts, "
        "ctp.broker_id, ctp.investor_id, ctp.password, ctp.app_id, ctp.auth_code "
        "(see docs/ctp.md)"
    )
