"""A split deployment on 127.0.0.1 for the end-to-end tests: a fresh MariaDB database,
a private redis-server (so a test may stop and restart it), one core and web replicas,
each `arbig run --role ...` in a subprocess with its output in a log file."""

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import pytest
import redis
from arbig_server import PASSWORD, SYMBOL, arbig, free_port, interrupt

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "ticks"))

from redis_kit import PrivateRedis, unavailable

MYSQL_ADMIN = os.environ.get("ARBIG_TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql")


def _admin(statement: str) -> None:
    code = (
        "import asyncio, sys\n"
        "from sqlalchemy import text\n"
        "from arbig.storage.database import create_engine\n"
        "async def main():\n"
        "    e = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT')\n"
        "    async with e.connect() as c:\n"
        "        await c.execute(text(sys.argv[2]))\n"
        "    await e.dispose()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", code, MYSQL_ADMIN, statement], check=True, timeout=60)


class PersistentRedis(PrivateRedis):
    """A private redis-server that keeps its data across a kill (append-only file,
    fsync on every write), as the split deployment's Redis must: the core lease, the
    consumer group and the streams outlive a restart."""

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        assert binary is not None
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"private redis-server on port {self.port} did not start")


class RoleProcess:
    """One `arbig run --role ROLE` (web replicas on their own port)."""

    def __init__(self, role: str, data_dir: Path, env: dict[str, str], name: str) -> None:
        self.role = role
        self.data_dir = data_dir
        self.env = env
        self.name = name
        self.port = free_port() if role == "web" else 0
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.name}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        args = [sys.executable, "-m", "arbig", "run", "--role", self.role]
        args += ["--data-dir", str(self.data_dir)]
        if self.role == "web":
            args += ["--port", str(self.port)]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            args, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        if self.role == "web":
            self.wait_until(lambda: httpx.get(f"{self.base}/api/v1/health", timeout=2).is_success)

    def wait_until(self, ready: object, timeout_s: float = 60.0) -> None:
        assert callable(ready) and self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()}")
            try:
                if ready():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout_s} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        interrupt(process, 30)
        self._close_log()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class SplitDeployment:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.database = f"arbig_split_{os.getpid()}_{secrets.token_hex(3)}"
        self.redis = PersistentRedis(workdir)
        self.headers: dict[str, str] = {}
        self.core: RoleProcess | None = None
        self.webs: list[RoleProcess] = []

    def start(self, replicas: int = 2) -> None:
        try:
            _admin(f"CREATE DATABASE {self.database}")
        except subprocess.CalledProcessError as exc:
            unavailable(f"MariaDB not reachable at {MYSQL_ADMIN}: {exc}")
        self.redis.start()
        database_url = MYSQL_ADMIN.rsplit("/", 1)[0] + f"/{self.database}"
        env = {
            **os.environ,
            "ARBIG_DATABASE_URL": database_url,
            "ARBIG_REDIS_URL": self.redis.url,
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            "ARBIG_SNAPSHOT_INTERVAL_S": "0.5",
            "ARBIG_SIM__TICK_INTERVAL_MS": "100",
            "ARBIG_SIM__SEED": "11",
            "ARBIG_SPLIT__RETRY_AFTER_S": "0.5",
            "ARBIG_SPLIT__COMMAND_TIMEOUT_S": "3",
            "ARBIG_RISK__DUPLICATE_WINDOW_S": "0",  # orders in quick succession
            "ARBIG_PROBE__PORT": "0",  # cores on a shared host; the probe has tests of its own
        }
        env.pop("ARBIG_CONFIG", None)
        self.data_dir.mkdir(parents=True)
        subprocess.run(
            [sys.executable, "-m", "arbig", "db", "upgrade"], env=env, check=True, timeout=120
        )
        # The credential lives in the shared database: every replica has it.
        data = ["--data-dir", str(self.data_dir)]
        arbig("auth", "set-password", *data, stdin=f"{PASSWORD}\n", env=env)
        token = arbig("auth", "create-token", "e2e", *data, env=env)
        self.headers = {"Authorization": f"Bearer {token}"}
        # The core's own folder (the simulated exchange's state).
        self.core = RoleProcess("core", self.workdir / "core", env, "core")
        self.core.data_dir.mkdir()
        self.core.start()
        self.webs = [RoleProcess("web", self.data_dir, env, f"web-{i}") for i in range(replicas)]
        for web in self.webs:
            web.start()
        self.webs[0].wait_until(self.core_serves)

    def core_serves(self) -> bool:
        health = httpx.get(f"{self.webs[0].base}/api/v1/health", timeout=5).json()
        return "command_bus" in health["components"]

    def stop(self) -> None:
        for web in self.webs:
            web.stop()
        if self.core is not None:
            self.core.stop()
        self.redis.kill()
        with contextlib.suppress(subprocess.CalledProcessError):
            _admin(f"DROP DATABASE IF EXISTS {self.database}")


def deployment(tmp_path_factory: pytest.TempPathFactory) -> SplitDeployment:
    return SplitDeployment(tmp_path_factory.mktemp("split"))
