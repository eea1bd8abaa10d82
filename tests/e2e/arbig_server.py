"""Running `arbig run` in a subprocess for end-to-end tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

SYMBOL = "au2612"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, port: int, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.extra_env = env or {}
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.headers: dict[str, str] = {}

    def start(self) -> None:
        if not self.headers:
            token = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "arbig",
                    "auth",
                    "create-token",
                    "e2e",
                    "--data-dir",
                    str(self.data_dir),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            self.headers = {"Authorization": f"Bearer {token}"}
        env = {
            **os.environ,
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            "ARBIG_SIM__SPEED": "5",
            "ARBIG_SIM__SEED": "7",
            "ARBIG_SNAPSHOT_INTERVAL_S": "0.5",
            **self.extra_env,
        }
        env.pop("ARBIG_DATABASE_URL", None)
        env.pop("ARBIG_REDIS_URL", None)
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
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                pytest.fail(f"arbig run exited with {self.process.returncode}:\n{output}")
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail("arbig run did not answer /api/v1/health within 30 s")

    def kill(self) -> None:
        """kill -9: no shutdown code runs, as in a crash or a power cut."""
        assert self.process is not None
        self.process.kill()
        self.process.communicate()

    def stop(self) -> str:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            output, _ = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        assert self.process.returncode == 0, output.decode()
        return output.decode()
