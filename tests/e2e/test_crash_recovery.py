"""kill -9 during a burst of fills, then a restart: every fill the exchange reported is in
`trades` exactly once and the positions equal the exchange's."""

import random
import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import orjson
import pytest
from arbig_server import SYMBOL, ArbigServer

pytestmark = pytest.mark.e2e

FAST = {"ARBIG_SIM__SPEED": "5", "ARBIG_SIM__SEED": "7"}


def burst(server: ArbigServer, stop: threading.Event, rng: random.Random) -> None:
    """Marketable orders as fast as the API takes them: opens and closes, both sides."""
    with httpx.Client(base_url=server.base, headers=server.headers, timeout=2) as http:
        while not stop.is_set():
            try:
                answer = http.get(f"/api/v1/market/{SYMBOL}/tick")
                if answer.status_code != 200:  # no quote yet: a loaded machine starts slowly
                    time.sleep(0.05)
                    continue
                tick = answer.json()
                side, offset = rng.choice(
                    [("buy", "open"), ("sell", "open"), ("buy", "close"), ("sell", "close")]
                )
                through = Decimal("0.40") if side == "buy" else Decimal("-0.40")
                touch = Decimal(tick["ask_price"] if side == "buy" else tick["bid_price"])
                http.post(
                    "/api/v1/orders",
                    json={
                        "symbol": SYMBOL,
                        "side": side,
                        "offset": offset,
                        "price": str(touch + through),
                        "volume": rng.randint(1, 3),
                    },
                )
            except httpx.HTTPError:
                return  # the server is gone


def exchange_book(data_dir: Path) -> tuple[set[str], dict[tuple[str, str], int]]:
    state = orjson.loads((data_dir / "sim-exchange.json").read_bytes())
    trade_ids = {t["trade_id"] for t in state["trades"]}
    positions = {
        (p["symbol"], p["direction"]): sum(v for _, v in p["today"])
        + sum(v for _, v in p["yesterday"])
        for p in state["positions"]
    }
    return trade_ids, {k: v for k, v in positions.items() if v}


def filled(data_dir: Path) -> bool:
    try:
        return bool(exchange_book(data_dir)[0])
    except (OSError, orjson.JSONDecodeError):  # not written yet, or caught mid-write
        return False


def recorded_book(data_dir: Path) -> tuple[list[str], dict[tuple[str, str], int]]:
    with sqlite3.connect(f"file:{data_dir / 'arbig.sqlite3'}?mode=ro", uri=True) as db:
        trade_ids = [row[0] for row in db.execute("SELECT trade_id FROM trades")]
        positions = {
            (symbol, direction): volume
            for symbol, direction, volume in db.execute(
                "SELECT symbol, direction, volume FROM positions WHERE volume > 0"
            )
        }
    return trade_ids, positions


@pytest.mark.parametrize("seed", [3, 17, 42])
def test_a_crash_mid_burst_loses_no_fill_and_counts_none_twice(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    server = ArbigServer(tmp_path / "data", env={**FAST, "ARBIG_SIM__SEED": str(seed)})
    server.start()
    stop = threading.Event()
    sender = threading.Thread(target=burst, args=(server, stop, rng))
    sender.start()
    # The crash falls at a random moment after the burst's first fill (on a loaded
    # machine the first quote can take a while).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not filled(server.data_dir):
        time.sleep(0.1)
    time.sleep(rng.uniform(0.2, 2.0))
    server.kill()
    stop.set()
    sender.join(timeout=10)
    before_ids, _ = recorded_book(server.data_dir)
    print(f"seed {seed}: {len(before_ids)} trades recorded before the restart")

    server.start()
    try:
        health = httpx.get(f"{server.base}/api/v1/health").json()
        assert health["components"]["book"]["state"] == "up", health
        exchange_ids, exchange_positions = exchange_book(server.data_dir)
        assert exchange_ids, "the burst produced no fill before the crash"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            recorded_ids, recorded_positions = recorded_book(server.data_dir)
            if set(recorded_ids) >= exchange_ids and recorded_positions == exchange_positions:
                break
            time.sleep(0.2)
        assert len(recorded_ids) == len(set(recorded_ids))
        assert set(recorded_ids) == exchange_ids
        assert recorded_positions == exchange_positions
        print(f"seed {seed}: {len(exchange_ids)} fills at the exchange, all recorded once")
    finally:
        server.stop()


def test_a_book_its_trades_cannot_explain_keeps_trading_halted(tmp_path: Path) -> None:
    server = ArbigServer(tmp_path / "data", env=FAST)
    server.start()
    try:
        tick = httpx.get(f"{server.base}/api/v1/market/{SYMBOL}/tick", headers=server.headers)
        price = Decimal(tick.json()["ask_price"]) + Decimal("0.40")
        order = {"symbol": SYMBOL, "side": "buy", "price": str(price), "volume": 1}
        sent = httpx.post(f"{server.base}/api/v1/orders", json=order, headers=server.headers)
        assert sent.is_success, sent.text
        deadline = time.monotonic() + 10
        while not recorded_book(server.data_dir)[1] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    # A record that disagrees with the exchange: the book now says 2 lots, the broker 1.
    with sqlite3.connect(server.data_dir / "arbig.sqlite3") as db:
        db.execute("UPDATE trades SET volume = 2")
    server.start()
    try:
        health = httpx.get(f"{server.base}/api/v1/health").json()
        assert health["components"]["book"]["state"] == "down"
        assert "differ from the broker" in health["components"]["book"]["detail"]
        refused = httpx.post(f"{server.base}/api/v1/orders", json=order, headers=server.headers)
        assert refused.status_code == 422
        assert "trading halted" in refused.json()["detail"]
        state = httpx.get(f"{server.base}/api/v1/risk/state", headers=server.headers).json()
        assert state["state"] == "halted"  # the banner every console page shows
        assert "differ from the broker" in state["reason"]
    finally:
        server.stop()
