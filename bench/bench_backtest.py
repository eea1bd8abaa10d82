"""Backtest throughput: ticks/s through the whole kernel, beside a bare loop and vn.py.

    .venv/bin/python bench/bench_backtest.py [--days 1] [--repeat 2] [--no-vnpy]

The same simulated gold ticks (the catalog's synthesizer, a snapshot every 500 ms,
``--days`` trading days) and the same decision on every tick: the simple averages of
the last 5 and 20 last prices, long above, short below, one lot:

1. a bare Python loop of that decision over the prices (no book, no orders): the floor;
2. ARBIG's backtester: ``arbig.backtest.kernel.replay`` with ``ma_crossover``
   (source=tick, fast=5, slow=20): the driven clock, the core, pre-trade risk, the
   strategy engine and its triggers, the simulator's matching engine, margin,
   commission, close-today/yesterday;
3. vn.py's ``vnpy_ctastrategy`` ``BacktestingEngine`` in tick mode with a CtaTemplate
   making the same decision (reverse with cover/sell then buy/short), run in a
   separate virtual environment the bench makes (``~/.cache/arbig-bench/vnpy-venv``,
   never a dependency of ARBIG); when it cannot be installed the bench says why;
4. with ``--floor``: the strategy alone (``backtest_floor.py``), ``ma_crossover`` and
   the same decision in floats on ARBIG's strategy API, each with a context that fills
   every order at once and does nothing else, and what the goal leaves the kernel.

Each figure is the best of ``--repeat`` runs, ticks built beforehand (not timed).
"""

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import date
from pathlib import Path

from backtest_floor import strategy_alone

from arbig.backtest.data import DataSource, days_from, simulated
from arbig.backtest.kernel import replay
from arbig.backtest.spec import BacktestSpec
from arbig.config import RiskSettings, Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick
from arbig.logs import configure_logging

SYMBOL = "au2708"
VENV = Path.home() / ".cache" / "arbig-bench" / "vnpy-venv"
VNPY_PACKAGES = ("vnpy", "vnpy_ctastrategy")

VNPY_RUNNER = r'''
import csv, json, sys, time
from datetime import datetime
from vnpy.trader.constant import Exchange, Interval
from vnpy.trader.object import TickData
from vnpy_ctastrategy import CtaTemplate
from vnpy_ctastrategy.backtesting import BacktestingEngine, BacktestingMode


class MaTick(CtaTemplate):
    """SMA 5 vs SMA 20 of last prices on every tick; long above, short below; one lot."""

    def on_init(self):
        self.prices = []
        self.side = 0

    def on_tick(self, tick):
        self.prices.append(tick.last_price)
        if len(self.prices) > 21:
            del self.prices[0]
        if len(self.prices) <= 20:
            return
        fast = sum(self.prices[-5:]) / 5
        slow = sum(self.prices[-20:]) / 20
        side = 1 if fast > slow else -1 if fast < slow else self.side
        if side == self.side:
            return
        self.side = side
        self.cancel_all()
        if side > 0:
            if self.pos < 0:
                self.cover(tick.ask_price_1 + 0.06, 1)
            self.buy(tick.ask_price_1 + 0.06, 1)
        else:
            if self.pos > 0:
                self.sell(tick.bid_price_1 - 0.06, 1)
            self.short(tick.bid_price_1 - 0.06, 1)


ticks = []
with open(sys.argv[1], newline="") as f:
    for row in csv.reader(f):
        at = datetime.fromisoformat(row[0])
        ticks.append(TickData(
            gateway_name="BACKTESTING", symbol="au2708", exchange=Exchange.SHFE,
            datetime=at, last_price=float(row[1]), volume=float(row[2]),
            open_interest=float(row[3]), bid_price_1=float(row[4]), bid_volume_1=float(row[5]),
            ask_price_1=float(row[6]), ask_volume_1=float(row[7]),
            limit_up=float(row[8]), limit_down=float(row[9])))
best = None
fills = 0
for _ in range(int(sys.argv[2])):
    engine = BacktestingEngine()
    engine.output = lambda msg: None
    engine.set_parameters(vt_symbol="au2708.SHFE", interval=Interval.TICK, start=ticks[0].datetime,
        end=ticks[-1].datetime, rate=0.0, slippage=0.0, size=1000, pricetick=0.02,
        capital=1_000_000, mode=BacktestingMode.TICK)
    engine.add_strategy(MaTick, {})
    engine.history_data = ticks
    began = time.perf_counter()
    engine.run_backtesting()
    took = time.perf_counter() - began
    fills = len(engine.trades)
    best = took if best is None else min(best, took)
print(json.dumps({"ticks": len(ticks), "seconds": best, "fills": fills}))
'''


def make_ticks(days: int) -> list[Tick]:
    settings = Settings(main_contract=SYMBOL)
    calendar = TradingCalendar.gold()
    chosen = days_from(calendar, date(2026, 6, 1), days)
    return list(simulated(settings.contract_spec(SYMBOL), calendar, chosen, DataSource("synth")))


def bare_loop(prices: list[float]) -> tuple[float, int]:
    began = time.perf_counter()
    window: deque[float] = deque(maxlen=20)
    side = reversals = 0
    for price in prices:
        window.append(price)
        if len(window) < 20:
            continue
        values = list(window)
        fast = sum(values[-5:]) / 5
        slow = sum(values) / 20
        now = 1 if fast > slow else -1 if fast < slow else side
        if now != side:
            side = now
            reversals += 1
    return time.perf_counter() - began, reversals


def arbig_run(ticks: list[Tick]) -> tuple[float, int, int]:
    # Every order of the reversing strategy is allowed: the bench measures the kernel,
    # not the default daily order cap.
    settings = Settings(
        main_contract=SYMBOL,
        risk=RiskSettings(
            max_orders_per_day=10**6, max_orders_per_minute=10**6, duplicate_window_s=0
        ),
    )
    spec = BacktestSpec("ma_crossover", SYMBOL, {"source": "tick", "fast": 5, "slow": 20})
    began = time.perf_counter()
    result = asyncio.run(replay(settings, spec, ticks))
    return time.perf_counter() - began, result.metrics.fills, result.ticks


def vnpy_venv() -> tuple[Path | None, str]:
    python = VENV / "bin" / "python"
    check = [str(python), "-c", "import vnpy_ctastrategy.backtesting"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, "ready"
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *VNPY_PACKAGES],
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"could not make the venv: {exc}"
    if done.returncode != 0:
        return None, "pip could not install vn.py: " + done.stderr.strip()[-500:]
    probe = subprocess.run(check, capture_output=True, text=True)
    if probe.returncode != 0:
        return None, "vnpy_ctastrategy does not import: " + probe.stderr.strip()[-500:]
    return python, "installed"


def vnpy_run(python: Path, ticks: list[Tick], repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "ticks.csv"
        with data.open("w") as out:
            for t in ticks:
                out.write(
                    f"{t.datetime.isoformat()},{t.last_price},{t.volume},{t.open_interest},"
                    f"{t.bid_price},{t.bid_volume},{t.ask_price},{t.ask_volume},"
                    f"{t.limit_up},{t.limit_down}\n"
                )
        runner = Path(folder) / "run_vnpy.py"
        runner.write_text(VNPY_RUNNER)
        done = subprocess.run(
            [str(python), str(runner), str(data), str(repeat)],
            capture_output=True,
            text=True,
            timeout=3600,
        )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-800:])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1, help="simulated trading days")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best counts")
    parser.add_argument("--no-vnpy", action="store_true", help="skip vn.py")
    parser.add_argument(
        "--floor", action="store_true", help="also the strategy alone, with instant fills"
    )
    args = parser.parse_args()
    configure_logging("error")
    logging.getLogger().setLevel(logging.ERROR)

    ticks = make_ticks(args.days)
    print(f"{len(ticks):,} ticks ({args.days} trading days, 500 ms), best of {args.repeat}")
    prices = [float(t.last_price) for t in ticks]
    loop_s, reversals = min(bare_loop(prices) for _ in range(args.repeat))
    print(f"bare loop:  {len(ticks) / loop_s:12,.0f} ticks/s  ({reversals} reversals)")
    runs = [arbig_run(ticks) for _ in range(args.repeat)]
    arbig_s, fills, played = min(runs)
    arbig_rate = played / arbig_s
    print(f"ARBIG:      {arbig_rate:12,.0f} ticks/s  ({fills} fills, {arbig_s:.2f} s)")
    floors: dict[str, float] = {}
    if args.floor:
        spec = Settings(main_contract=SYMBOL).contract_spec(SYMBOL)
        for label, lean in (("ma_crossover alone", False), ("lean MA alone", True)):
            took, triggers, done = strategy_alone(spec, ticks, lean, args.repeat)
            floors[label] = len(ticks) / took
            print(
                f"{label + ':':19} {floors[label]:12,.0f} ticks/s  "
                f"({triggers} triggers, {done} instant fills)"
            )
    if args.no_vnpy:
        print("vn.py:      skipped (--no-vnpy)")
        return
    python, state = vnpy_venv()
    if python is None:
        print(f"vn.py:      not measured: {state}")
        return
    try:
        vn = vnpy_run(python, ticks, args.repeat)
    except (RuntimeError, subprocess.SubprocessError, ValueError) as exc:
        print(f"vn.py:      not measured: {exc}")
        return
    vn_rate = vn["ticks"] / vn["seconds"]
    print(
        f"vn.py:      {vn_rate:12,.0f} ticks/s  ({int(vn['fills'])} fills, {vn['seconds']:.2f} s)"
    )
    ratio = arbig_rate / vn_rate
    verdict = "met" if ratio >= 1.5 else "not met"
    print(f"ARBIG / vn.py: {ratio:.2f}x (goal >= 1.5x: {verdict})")
    goal_us = 1e6 / (1.5 * vn_rate)
    for label, rate in floors.items():
        left = goal_us - 1e6 / rate
        print(
            f"goal: {goal_us:.2f} us a tick; {label} takes {1e6 / rate:.2f} us; "
            f"left for the kernel: {left:.2f} us"
            + (" (none: the goal is below the strategy's own cost)" if left <= 0 else "")
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
