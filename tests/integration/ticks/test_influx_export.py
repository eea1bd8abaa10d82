"""The optional InfluxDB export against a real influxd of the test's own (Debian's
`influxdb` package), started on free ports in a temporary folder and stopped by PID."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis_kit import free_port, unavailable

from arbig.domain.bar import Bar, BarBuilder
from arbig.engine.bus import EventBus, EventType
from arbig.exporters.influx import InfluxExporter, bar_line, tick_line

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, make_tick, tick_run

pytestmark = pytest.mark.integration


class PrivateInflux:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("influxd")
        if binary is None:
            unavailable("influxd is not installed (apt-get install influxdb)")
        assert binary is not None
        env = {
            **os.environ,
            "INFLUXDB_HTTP_BIND_ADDRESS": f"127.0.0.1:{self.port}",
            "INFLUXDB_BIND_ADDRESS": f"127.0.0.1:{free_port()}",
            "INFLUXDB_META_DIR": str(self.workdir / "meta"),
            "INFLUXDB_DATA_DIR": str(self.workdir / "data"),
            "INFLUXDB_DATA_WAL_DIR": str(self.workdir / "wal"),
            "INFLUXDB_REPORTING_DISABLED": "true",
            "INFLUXDB_HTTP_LOG_ENABLED": "false",
        }
        self.process = subprocess.Popen(
            [binary, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/ping", timeout=0.5).status_code == 204:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("private influxd did not start within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def query(self, database: str, q: str) -> list[Any]:
        reply = httpx.get(f"{self.url}/query", params={"db": database, "q": q}).json()
        series = reply["results"][0].get("series") or [{"values": []}]
        return list(series[0]["values"])


@pytest.fixture
def influx(tmp_path: Path) -> Iterator[PrivateInflux]:
    server = PrivateInflux(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_lines_carry_exact_prices_integer_volumes_and_millisecond_times() -> None:
    tick = make_tick(at("2026-11-20 21:00:00.500"), "921.34", 7)
    line = tick_line(tick)
    assert line.startswith("tick,symbol=au2612,exchange=SHFE last_price=921.34,volume=7i,")
    assert line.endswith(" 1795179600500")
    builder = BarBuilder(SYMBOL)
    builder.update(tick)
    bar = builder.flush()
    assert bar is not None
    assert bar_line(bar).startswith("bar,symbol=au2612,trading_day=2026-11-20 open=921.34,")


async def eventually(condition: Any, timeout_s: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_ticks_and_bars_reach_influxdb_and_survive_an_outage(
    influx: PrivateInflux,
) -> None:
    bus = EventBus()
    exporter = InfluxExporter(influx.url, "arbig_test", interval_s=0.05)
    exporter.attach(bus)
    await exporter.start()
    first = tick_run(at("2026-11-20 09:00:00"), 100)
    for tick in first:
        bus.publish(EventType.TICK, tick)
    bar = Bar(SYMBOL, first[0].trading_day, at("2026-11-20 09:00:00"), *[first[0].last_price] * 4,
              volume=99, turnover=first[0].turnover, open_interest=5)  # fmt: skip
    bus.publish(EventType.BAR, bar)
    await eventually(lambda: exporter.written == 101)
    assert exporter.healthy
    rows = await asyncio.to_thread(influx.query, "arbig_test", "SELECT count(volume) FROM tick")
    assert rows[0][1] == 100
    bars = await asyncio.to_thread(influx.query, "arbig_test", "SELECT volume FROM bar")
    assert bars[0][1] == 99

    influx.stop()
    later = tick_run(at("2026-11-20 09:01:00"), 50)
    for tick in later:
        bus.publish(EventType.TICK, tick)
    await eventually(lambda: not exporter.healthy)
    influx.start()
    await eventually(lambda: exporter.healthy and exporter.written == 151)
    assert exporter.dropped == 0
    since = "'2026-11-20T01:01:00Z'"  # 09:01 exchange time
    rows = await asyncio.to_thread(
        influx.query, "arbig_test", f"SELECT count(volume) FROM tick WHERE time >= {since}"
    )
    assert rows[0][1] == 50
    await exporter.stop()
