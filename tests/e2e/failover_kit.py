"""Two cores, the shared simulated exchange and web replicas on 127.0.0.1 for the
failover tests: a fresh MariaDB database, a private redis-server, every process an
`arbig ...` subprocess with its output in a log file, stopped or killed by its own pid."""

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
import redis
from arbig_server import PASSWORD, SYMBOL, arbig, free_port, interrupt

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "ticks"))

from redis_kit import PrivateRedis, unavailable

MYSQL_ADMIN = os.environ.get("ARBIG_TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql")
PREFIX = "arbig:"
TTL_S = 1.5
POLL_S = 0.2
STRATEGY = Path(__file__).with_name("failover_strategy.py")


async def _sql(url: str, statement: str, *, autocommit: bool = False) -> list[Any]:
    from sqlalchemy import text

    from arbig.storage.database import create_engine

    engine = create_engine(url, **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}))
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement))
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def eventually(condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(httpx.TransportError, redis.RedisError):
            value = condition()
            if value:
                return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.05)


class Process:
    """One `arbig ...` subprocess."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arbig", *self.args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout_s: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout_s)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGCONT)  # a paused core must hear the Ctrl-C
            interrupt(process, 30)
        if self._log is not None:
            self._log.close()
            self._log = None


class Failover:
    """The deployment: ``exchange``, cores ``a`` and ``b``, web replicas."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database = f"arbig_failover_{os.getpid()}_{secrets.token_hex(3)}"
        self.redis_server = PrivateRedis(workdir)
        self.processes: dict[str, Process] = {}
        self.headers: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.url = ""

    def start(self) -> None:
        try:
            asyncio.run(_sql(MYSQL_ADMIN, f"CREATE DATABASE {self.database}", autocommit=True))
        except Exception as exc:
            unavailable(f"MariaDB not reachable at {MYSQL_ADMIN}: {exc}")
        self.redis_server.start()
        self.url = MYSQL_ADMIN.rsplit("/", 1)[0] + f"/{self.database}"
        self.env = {
            **os.environ,
            "ARBIG_DATABASE_URL": self.url,
            "ARBIG_REDIS_URL": self.redis_server.url,
            "ARBIG_MAIN_CONTRACT": SYMBOL,
            "ARBIG_GATEWAY": "sim-link",
            "ARBIG_SIM__TICK_INTERVAL_MS": "100",
            "ARBIG_SIM__SEED": "5",
            "ARBIG_SNAPSHOT_INTERVAL_S": "0.5",
            "ARBIG_SHUTDOWN_TIMEOUT_S": "3",
            "ARBIG_STRATEGY__SLIPPAGE_TICKS": "20",
            "ARBIG_LEASE__TTL_S": str(TTL_S),
            "ARBIG_LEASE__POLL_S": str(POLL_S),
            "ARBIG_PROBE__PORT": "0",  # two cores on one host; the probe has tests of its own
            "ARBIG_RISK__MAX_ORDERS_PER_MINUTE": "100000",
            "ARBIG_RISK__MAX_ORDERS_PER_DAY": "100000",
            "ARBIG_RISK__DUPLICATE_WINDOW_S": "0",
            "ARBIG_RISK__MAX_TICKS_FROM_MARKET": "1000",
            "ARBIG_RISK__MAX_WORKING_ORDERS": "1000",
            "ARBIG_RISK__MAX_POSITION": "100000",
            "ARBIG_SIM__CAPITAL": "1000000000",
            "ARBIG_STRATEGY__MODULES": orjson.dumps([str(STRATEGY)]).decode(),
            "ARBIG_STRATEGY__NAME": "churn",
            "ARBIG_STRATEGY__AUTOSTART": "true",
        }
        self.env.pop("ARBIG_CONFIG", None)
        subprocess.run(
            [sys.executable, "-m", "arbig", "db", "upgrade"], env=self.env, check=True, timeout=120
        )
        self.spawn("exchange", ["sim-exchange", "--data-dir", str(self.workdir / "exchange")])
        eventually(
            lambda: "simulated exchange ready" in self.processes["exchange"].log(),
            60,
            "the simulated exchange serves",
        )

    def spawn(self, name: str, args: list[str]) -> Process:
        process = Process(name, args, self.env, self.workdir)
        self.processes[name] = process
        process.start()
        return process

    def core(self, name: str) -> Process:
        data = self.workdir / name
        data.mkdir(exist_ok=True)
        return self.spawn(name, ["run", "--role", "core", "--data-dir", str(data)])

    def web(self, name: str) -> str:
        """A web replica; the credential and tokens are in the shared database."""
        shared = self.workdir / "web"
        if not self.headers:
            shared.mkdir()
            data = ["--data-dir", str(shared)]
            arbig("auth", "set-password", *data, stdin=f"{PASSWORD}\n", env=self.env)
            token = arbig("auth", "create-token", "e2e", *data, env=self.env)
            self.headers = {"Authorization": f"Bearer {token}"}
        port = free_port()
        self.spawn(name, ["run", "--role", "web", "--port", str(port), "--data-dir", str(shared)])
        base = f"http://127.0.0.1:{port}"
        eventually(
            lambda: httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200,
            60,
            f"{name} answers",
        )
        return base

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_server.url)

    def lease(self) -> dict[str, str]:
        fields = self.redis().hgetall(f"{PREFIX}core:lease")
        return {k.decode(): v.decode() for k, v in fields.items()}

    def holder_pid(self) -> int | None:
        """The pid in the lease holder's name (host:pid:random), None without a holder."""
        holder = self.lease().get("holder")
        return int(holder.split(":")[1]) if holder else None

    def standbys(self) -> list[str]:
        now_ms = int(time.time() * 1000)
        names = self.redis().zrangebyscore(f"{PREFIX}core:standbys", now_ms, "+inf")
        return [name.decode() for name in names]

    def last_price(self) -> Decimal:
        """The newest price the exchange published."""
        for _id, fields in self.redis().xrevrange(f"{PREFIX}simx:events", count=50):
            if fields[b"kind"] == b"tick":
                return Decimal(orjson.loads(fields[b"data"])["last_price"])
        raise AssertionError("no tick on the exchange's events stream")

    def ledger(self) -> list[dict[str, str]]:
        entries = self.redis().xrange(f"{PREFIX}simx:ledger")
        return [{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in entries]

    def exchange_record(self) -> dict[str, Any]:
        """The simulated exchange's own books (its state file), once it has stopped."""
        path = self.workdir / "exchange" / "sim-exchange.json"
        record: dict[str, Any] = orjson.loads(path.read_bytes())
        return record

    def sql(self, statement: str) -> list[Any]:
        return asyncio.run(_sql(self.url, statement))

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
            print(f"--- {process.name} ---\n{process.log()[-6000:]}")  # shown when a test fails
        self.redis_server.kill()
        with contextlib.suppress(Exception):
            asyncio.run(
                _sql(MYSQL_ADMIN, f"DROP DATABASE IF EXISTS {self.database}", autocommit=True)
            )
