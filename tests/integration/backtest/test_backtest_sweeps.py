"""Sweeps: four combinations in local processes, and on a Dask cluster of a scheduler
and two worker processes on 127.0.0.1, give the same results (each combination's
figures and fills)."""

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from arbig.backtest.data import DataSource
from arbig.backtest.spec import BacktestResult, BacktestSpec
from arbig.backtest.sweep import Job, combinations, parse_grid, rank, run_dask, run_local
from arbig.config import Settings

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
SYMBOL = "au2708"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def jobs() -> list[Job]:
    settings = Settings(main_contract=SYMBOL)
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick"}, first=date(2026, 6, 4))
    source = DataSource("synth", days=1, seed=4, interval_ms=30_000)
    grid = parse_grid(["fast=3,5", "slow=20,30"])
    return [Job(settings, spec.with_params(combo), source) for combo in combinations(grid)]


def figures(results: list[BacktestResult]) -> list[tuple[object, ...]]:
    return [(r.spec.params, r.metrics, r.fills) for r in results]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers (``dask scheduler`` and ``dask
    worker``: the dask-scheduler and dask-worker commands of today's distributed)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    commands = [
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        *(
            [
                dask,
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--local-directory",
                str(tmp_path / f"worker-{i}"),
            ]
            for i in (1, 2)
        ),
    ]
    with contextlib.ExitStack() as stack:
        processes: list[subprocess.Popen[bytes]] = []
        for i, command in enumerate(commands):
            log = stack.enter_context((tmp_path / f"dask-{i}.log").open("wb"))
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        try:
            wait_for_workers(address, 2)
            yield address
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for_workers(address: str, count: int, timeout_s: float = 120) -> None:
    from distributed import Client

    deadline = time.monotonic() + timeout_s
    with Client(address, timeout="60s") as client:  # type: ignore[no-untyped-call]
        while len(client.scheduler_info()["workers"]) < count:  # type: ignore[no-untyped-call]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} Dask workers did not join in {timeout_s} s")
            time.sleep(0.2)


@pytest.mark.timeout(600)
def test_a_sweep_on_dask_gives_the_local_results(cluster: str) -> None:
    work = jobs()
    assert len(work) == 4
    on_dask = run_dask(work, cluster)
    local = run_local(work, workers=2)

    assert figures(on_dask) == figures(local)
    assert [r.spec.params for r in on_dask] == [j.spec.params for j in work]
    assert len({r.metrics.net_pnl for r in local}) > 1  # the parameters matter
    ranked = rank(local, "sharpe")
    sharpe = [r.metrics.sharpe for r in ranked]
    assert sharpe == sorted(sharpe, key=lambda s: -s if s is not None else float("inf"))
