"""`arbig run --role core` answers its probes on a port of its own: the active core is
ready, a standby beside it answers "standby" with a code of its own, metrics are
scraped from either, and the standby turns ready when it takes over.

The cores are real subprocesses on a fresh MariaDB database and a private Redis; each
is stopped by its own pid."""

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis_kit import PrivateRedis, free_port, unavailable
from sqlalchemy import text

from arbig.config import default_main_contract
from arbig.storage.database import create_engine

MYSQL_ADMIN = os.environ.get("ARBIG_TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql")


async def _admin(statement: str) -> None:
    engine = create_engine(MYSQL_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated MariaDB database and a private Redis, as the cores' environment."""
    name = f"arbig_probe_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        asyncio.run(_admin(f"CREATE DATABASE {name}"))
    except Exception as exc:
        unavailable(f"MariaDB not reachable at {MYSQL_ADMIN}: {exc}")
    server = PrivateRedis(tmp_path)
    try:
        server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARBIG_")}
        env |= {
            "ARBIG_DATABASE_URL": MYSQL_ADMIN.rsplit("/", 1)[0] + f"/{name}",
            "ARBIG_REDIS_URL": server.url,
            "ARBIG_MAIN_CONTRACT": default_main_contract(),
            "ARBIG_LEASE__TTL_S": "1.5",
            "ARBIG_LEASE__POLL_S": "0.2",
            "ARBIG_SHUTDOWN_TIMEOUT_S": "3",
        }
        subprocess.run(
            [sys.executable, "-m", "arbig", "db", "upgrade"], env=env, check=True, timeout=120
        )
        yield env
    finally:
        server.kill()
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name}"))


class Core:
    """One `arbig run --role core` with its probe on a free port."""

    def __init__(self, workdir: Path, name: str, env: dict[str, str], host: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        data = workdir / name
        data.mkdir()
        self.log_path = workdir / f"{name}.log"
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arbig", "run", "--role", "core", "--data-dir", str(data)],
            env={**env, "ARBIG_PROBE__PORT": str(self.port), "ARBIG_PROBE__HOST": host},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base + path, timeout=5, **kwargs)

    def until(self, condition: Callable[[], Any], what: str, timeout_s: float = 60) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"core exited:\n{self.log_path.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                value = condition()
                if value:
                    return value
            time.sleep(0.2)
        raise AssertionError(f"not within {timeout_s} s: {what}\n{self.log_path.read_text()}")

    def ready(self) -> dict[str, Any] | None:
        answer = self.get("/health/ready")
        body: dict[str, Any] = answer.json()
        return body if answer.status_code == 200 else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def core_state(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    for family in text_string_to_metric_families(response.text):
        if family.name == "arbig_core_state":
            return next(s.labels["state"] for s in family.samples if s.value == 1)
    raise AssertionError("no arbig_core_state")


def test_the_active_core_is_ready_a_standby_says_so_and_turns_ready_when_it_takes_over(
    environment: dict[str, str], tmp_path: Path
) -> None:
    active = Core(tmp_path, "a", environment, "127.0.0.1")
    standby: Core | None = None
    try:
        active.until(lambda: active.get("/health/live").status_code == 200, "a answers")
        first = active.until(active.ready, "a is ready")
        assert first["status"] == "active"
        assert first["components"]["gateway"] == "up"
        scraped = active.get("/metrics")
        assert core_state(scraped) == "active"
        assert "arbig_ticks_received_total" in scraped.text  # the runtime's registry

        # Beyond loopback the probe's /metrics takes the console's API tokens (from SQL).
        standby = Core(tmp_path, "b", environment, "0.0.0.0")
        waiting = standby.until(
            lambda: standby.get("/health/ready").status_code == 429 and standby, "b waits"
        )
        assert waiting.get("/health/ready").json()["status"] == "standby"
        assert waiting.get("/health/live").json() == {"status": "up", "state": "standby"}
        assert waiting.get("/metrics").status_code == 401
        made = subprocess.run(
            [sys.executable, "-m", "arbig", "auth", "create-token", "prometheus"],
            env={**environment, "ARBIG_PROBE__PORT": "0"},
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        scraped = waiting.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert core_state(scraped) == "standby"

        active.stop()
        taken = waiting.until(waiting.ready, "b took over and is ready")
        assert taken["status"] == "active"
        assert taken["lease_token"] > first["lease_token"]
    finally:
        active.stop()
        if standby is not None:
            standby.stop()
