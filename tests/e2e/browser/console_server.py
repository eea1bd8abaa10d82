"""A real `arbig run` in a subprocess for the browser tests: temp data folder,
operator password set through `arbig auth set-password` on standard input."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

SYMBOL = "au2612"
PASSWORD = "browser-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ConsoleServer:
    """Start, stop and restart (on the same port and data folder) one ARBIG."""

    def __init__(
        self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.starts}.log"

    def set_password(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "arbig",
                "auth",
                "set-password",
                "--data-dir",
                str(self.data_dir),
            ],
            input=f"{PASSWORD}\n".encode(),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        if self.starts == 0:
            self.set_password()
        self.starts += 1
        env = {
            **os.environ,
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            # ten ticks a second: the console must stay smooth at that rate
            "ARBIG_SIM__TICK_INTERVAL_MS": "100",
            "ARBIG_SIM__SEED": "11",
            "ARBIG_SNAPSHOT_INTERVAL_S": "0.5",
            **self.extra_env,
        }
        env.pop("ARBIG_DATABASE_URL", None)
        env.pop("ARBIG_REDIS_URL", None)
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
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
