"""kill -9 in the middle of a burst of operator orders: every order the exchange has on
its record has an audit entry written before it was sent, and no order audited as sent
is missing from the exchange (the intent is written ahead: docs/architecture.md, "One
audit path")."""

import json
import random
import sqlite3
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from arbig_server import SYMBOL, ArbigServer

pytestmark = pytest.mark.e2e

SENDERS = 3  # concurrent clients, so that several orders are in flight at the kill
ROUNDS = 3
# Room for a burst: risk's rate limits and the account's margin would otherwise refuse
# most orders before they reach the exchange (those are audited as refused, and prove
# nothing here).
ENV = {
    "ARBIG_SIM__SPEED": "5",
    "ARBIG_SIM__SEED": "7",
    "ARBIG_SIM__CAPITAL": "1000000000",
    "ARBIG_RISK__MAX_POSITION": "100000",
    "ARBIG_RISK__MAX_WORKING_ORDERS": "1000",
    "ARBIG_RISK__MAX_ORDERS_PER_MINUTE": "100000",
    "ARBIG_RISK__MAX_ORDERS_PER_DAY": "1000000",
    "ARBIG_RISK__DUPLICATE_WINDOW_S": "0",
}


def burst(server: ArbigServer, stop: threading.Event, rng: random.Random, sent: list[int]) -> None:
    """Marketable opens and closes on both sides, as fast as the API answers."""
    with httpx.Client(base_url=server.base, headers=server.headers, timeout=5) as http:
        while not stop.is_set():
            try:
                answer = http.get(f"/api/v1/market/{SYMBOL}/tick")
                if answer.status_code != 200:  # no quote yet
                    time.sleep(0.05)
                    continue
                tick = answer.json()
                side, offset = rng.choice(
                    [
                        ("buy", "open"),
                        ("sell", "open"),
                        ("buy", "close_today"),
                        ("sell", "close_today"),
                    ]
                )
                through = Decimal("0.40") if side == "buy" else Decimal("-0.40")
                touch = Decimal(tick["ask_price"] if side == "buy" else tick["bid_price"])
                order = {
                    "symbol": SYMBOL,
                    "side": side,
                    "offset": offset,
                    "price": str(touch + through),
                    "volume": rng.randint(1, 3),
                }
                if http.post("/api/v1/orders", json=order).status_code == 202:
                    sent.append(1)
            except httpx.HTTPError:
                return  # the server is gone


Key = tuple[str, str, str, Decimal, int]


def exchange_orders(data_dir: Path) -> dict[str, Key]:
    """The orders the simulated exchange has on its record (its state file, written
    before it answers an order), by order id."""
    state = orjson.loads((data_dir / "sim-exchange.json").read_bytes())
    orders = state["orders"].values() if isinstance(state["orders"], dict) else state["orders"]
    return {
        o["order_id"]: (o["symbol"], o["side"], o["offset"], Decimal(o["price"]), o["volume"])
        for o in orders
        if o["source"] == "operator"
    }


def audited_orders(data_dir: Path, after: int) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(id, result, target, detail) of the send_order entries after the entry ``after``."""
    with sqlite3.connect(f"file:{data_dir / 'arbig.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT id, result, target, detail FROM audit_log"
            " WHERE action = 'send_order' AND id > ? ORDER BY id",
            (after,),
        ).fetchall()
    return [
        (i, result, target, json.loads(detail) if detail else {})
        for i, result, target, detail in rows
    ]


class Intents:
    """Checks the orders of each round (those the exchange took since the last check)
    against the entries written since: rounds on either side of a new trading day (when
    the exchange's record starts afresh) are each checked whole."""

    def __init__(self) -> None:
        self.checked: set[str] = set()
        self.last_entry = 0

    def check(self, data_dir: Path) -> tuple[int, int]:
        """Every new exchange order has its entry: ``sent`` with its id, or still
        ``pending`` (the crash fell between the send and the outcome's write) with its
        contents; every new entry ``sent`` names an order the exchange has. Returns (new
        orders, those matched by a pending entry)."""
        record = exchange_orders(data_dir)
        at_exchange = {i: key for i, key in record.items() if i not in self.checked}
        entries = audited_orders(data_dir, self.last_entry)
        sent_ids = {d["order_id"] for _, result, _, d in entries if result == "sent"}
        missing = sorted(sent_ids - record.keys())
        assert not missing, f"audited as sent, not at the exchange: {missing}"
        pending: Counter[Key] = Counter(
            (target, d["side"], d["offset"], Decimal(d["price"]), d["volume"])
            for _, result, target, d in entries
            if result == "pending"
        )
        unaudited = []
        matched = 0
        for order_id, key in sorted(at_exchange.items()):
            if order_id in sent_ids:
                continue
            if pending[key] > 0:
                pending[key] -= 1
                matched += 1
            else:
                unaudited.append((order_id, key))
        assert not unaudited, f"at the exchange with no audit entry: {unaudited}"
        self.checked |= at_exchange.keys()
        self.last_entry = max((i for i, *_ in entries), default=self.last_entry)
        return len(at_exchange), matched


def test_every_order_at_the_exchange_was_audited_before_it_was_sent(tmp_path: Path) -> None:
    rng = random.Random(2026)
    server = ArbigServer(tmp_path / "data", env=ENV)
    intents = Intents()
    try:
        for round_ in range(ROUNDS):
            server.start()
            stop = threading.Event()
            sent: list[int] = []
            senders = [
                threading.Thread(
                    target=burst, args=(server, stop, random.Random(rng.random()), sent)
                )
                for _ in range(SENDERS)
            ]
            for sender in senders:
                sender.start()
            deadline = time.monotonic() + 30
            while len(sent) < 10 and time.monotonic() < deadline:  # the burst is under way
                time.sleep(0.05)
            time.sleep(rng.uniform(0.1, 1.0))
            server.kill()
            stop.set()
            for sender in senders:
                sender.join(timeout=10)
            assert sent, "no order was accepted before the crash"
            orders, pending = intents.check(server.data_dir)
            print(f"round {round_}: {orders} orders at the exchange, {pending} audited pending")
    finally:
        if server.process is not None:
            server.kill()
