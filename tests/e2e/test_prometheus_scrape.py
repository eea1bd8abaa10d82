"""A real Prometheus (Debian's `prometheus`) scrapes a running ARBIG with the demo strategy.

The server is the test's own: a free loopback port, a temporary storage folder, a
scrape every second of the console's /metrics with an API token; stopped by its PID.
The test then asks Prometheus' HTTP API what it stored.
"""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from arbig_server import SYMBOL, ArbigServer, free_port
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

DEMO = {
    "ARBIG_SIM__SPEED": "5",
    "ARBIG_SIM__SEED": "7",
    "ARBIG_STRATEGY__NAME": "ma_crossover",
    "ARBIG_STRATEGY__AUTOSTART": "true",
    "ARBIG_STRATEGY__SLIPPAGE_TICKS": "10",
    "ARBIG_STRATEGY__PARAMS": '{"source": "tick", "fast": 5, "slow": 20}',
}


def unavailable(reason: str) -> None:
    """Skip with ``reason``; under CI=true fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


class PrivatePrometheus:
    def __init__(self, workdir: Path, target_port: int, token: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        (workdir / "token").write_text(token)
        self.config = workdir / "prometheus.yml"
        self.config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: arbig\n"
            f"    authorization: {{credentials_file: {workdir / 'token'}}}\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "prometheus.log"

    def start(self) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            unavailable("prometheus is not installed (scripts/system-deps.sh)")
        assert binary is not None
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={self.config}",
                    f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"private prometheus did not start within 30 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def query(self, promql: str) -> list[dict[str, Any]]:
        reply = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        body = reply.json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def value(self, promql: str, timeout: float = 30.0) -> float:
        """The first sample of ``promql`` once Prometheus has one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.query(promql)
            if result:
                return float(result[0]["value"][1])
            time.sleep(0.5)
        targets = httpx.get(f"{self.url}/api/v1/targets", timeout=5).json()
        pytest.fail(f"no sample for {promql} within {timeout} s; targets: {targets}")


@pytest.fixture
def arbig(tmp_path: Path) -> Iterator[ArbigServer]:
    running = ArbigServer(tmp_path / "data", env=DEMO)
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


@pytest.fixture
def prometheus(tmp_path: Path, arbig: ArbigServer) -> Iterator[PrivatePrometheus]:
    token = arbig.headers["Authorization"].removeprefix("Bearer ")
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    server = PrivatePrometheus(workdir, arbig.port, token)
    server.start()
    yield server
    server.stop()


def watch_ticks(arbig: ArbigServer, seconds: float) -> int:
    """A WebSocket client on the main contract's ticks, so that ticks reach a socket."""
    received = 0
    with connect(f"ws://127.0.0.1:{arbig.port}/ws", additional_headers=arbig.headers) as ws:
        ws.send(orjson.dumps({"op": "subscribe", "topics": [f"tick:{SYMBOL}"]}).decode())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = orjson.loads(ws.recv(timeout=5))
            received += message.get("type") == "tick"
    return received


def test_prometheus_scrapes_ticks_latency_and_the_trading_state(
    arbig: ArbigServer, prometheus: PrivatePrometheus
) -> None:
    ticks = f'arbig_ticks_received_total{{contract="{SYMBOL}",job="arbig"}}'
    first = prometheus.value(ticks)
    assert watch_ticks(arbig, 4.0) > 0
    deadline = time.monotonic() + 20
    later = first
    while later <= first and time.monotonic() < deadline:
        time.sleep(1)
        later = prometheus.value(ticks)
    assert later > first, "the tick counter did not rise between scrapes"

    assert prometheus.value("sum(arbig_tick_to_websocket_seconds_count)") > 0
    p99 = prometheus.value(
        "histogram_quantile(0.99, sum by (le) (arbig_tick_to_websocket_seconds_bucket))"
    )
    assert 0 <= p99 < 5
    assert prometheus.value('arbig_http_request_duration_seconds_count{route="/api/v1/health"}')

    assert prometheus.value('arbig_trading_state{state="active"}') == 1
    assert prometheus.value('arbig_trading_state{state="halted"}') == 0
    assert prometheus.value('arbig_strategy_state{state="running"}') == 1
    assert prometheus.value('arbig_gateway_connected{gateway="sim"}') == 1
    assert prometheus.value("arbig_account_balance_yuan") > 0
    assert prometheus.value("process_resident_memory_bytes") > 0
    assert prometheus.value('up{job="arbig"}') == 1


def test_the_loopback_metrics_port_needs_no_token_and_stops_with_arbig(tmp_path: Path) -> None:
    port = free_port()
    running = ArbigServer(tmp_path / "data", env={"ARBIG_METRICS__PORT": str(port)})
    running.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert response.status_code == 200
        assert "arbig_ticks_received_total" in response.text
        assert httpx.get(f"{running.base}/metrics", timeout=5).status_code == 401
    finally:
        running.stop()  # Ctrl-C: ends with exit status 0, the second server with it
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1)
