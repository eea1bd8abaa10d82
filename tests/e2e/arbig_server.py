"""A real `arbig run` in a subprocess for the end-to-end and browser tests.

The data folder gets an operator password (through `arbig auth set-password` on
standard input) and an API token before the first start; the server's output
goes to a log file per start, so a chatty server can never block on a full pipe.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from arbig.config import default_main_contract

# A listed month outside its delivery month today (opening in the delivery month is refused).
SYMBOL = default_main_contract()
PASSWORD = "end-to-end-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def interrupt(process: "subprocess.Popen[bytes]", timeout_s: float) -> None:
    """Ctrl-C to ``process``, as an operator would; killed if it has not ended within
    ``timeout_s``."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def arbig(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    """Run an `arbig` command to completion (in ``env``: the database of the processes it
    prepares for); its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "arbig", *args],
        input=stdin,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


class ArbigServer:
    """Start, stop, kill and restart (same port, same data folder) one ARBIG."""

    def __init__(
        self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.headers: dict[str, str] = {}
        self.starts = 0
        self.prepared = False
        self._log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.starts}.log"

    def _env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            "ARBIG_SNAPSHOT_INTERVAL_S": "0.5",
            **self.extra_env,
        }
        env.pop("ARBIG_DATABASE_URL", None)
        env.pop("ARBIG_REDIS_URL", None)
        env.pop("ARBIG_CONFIG", None)
        return env

    def prepare(self) -> None:
        """The data folder's database, password and API token, as before a first start
        (done by ``start`` if not yet): a caller may add to the folder in between."""
        if self.prepared:
            return
        # Into the database the server will use (the data folder's SQLite).
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env, data = self._env(), ["--data-dir", str(self.data_dir)]
        arbig("auth", "set-password", *data, stdin=f"{PASSWORD}\n", env=env)
        token = arbig("auth", "create-token", "e2e", *data, env=env)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.prepared = True

    def start(self) -> None:
        self.prepare()
        self.starts += 1
        env = self._env()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "arbig",
                "run",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._close_log()
                raise RuntimeError(
                    f"arbig run exited with {self.process.returncode}:\n{self.log_path.read_text()}"
                )
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("arbig run did not answer /api/v1/health within 30 s")

    def stop(self) -> None:
        """Ctrl-C, as an operator would; the process must end cleanly (exit code 0)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        interrupt(process, 20)
        self._close_log()
        if process.returncode != 0:
            raise RuntimeError(
                f"arbig run ended with {process.returncode}:\n{self.log_path.read_text()}"
            )

    def kill(self) -> None:
        """kill -9: no shutdown code runs, as in a crash or a power cut."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
