"""One core at a time (docs/deployment.md): the active core killed in the middle of a
stream of orders, or paused past its lease, and the standby taking over; checked against
the shared simulated exchange's own record."""

import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from arbig_server import SYMBOL
from failover_kit import POLL_S, TTL_S, Failover, eventually

# Five processes start on a shared 2-core machine: more than the default limit per test.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# The lease expires TTL_S after the last renewal, which may have been TTL_S / 3 before
# the kill; a standby asks every POLL_S; the rest is slack for a loaded machine.
TAKEOVER_BOUND_S = TTL_S + POLL_S + 3.0


@pytest.fixture
def failover(tmp_path: Path) -> Iterator[Failover]:
    deployment = Failover(tmp_path)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


def _orders_by_token(failover: Failover) -> Counter[str]:
    return Counter(note["token"] for note in failover.ledger() if note["ok"] == "1")


def _start_pair(failover: Failover) -> tuple[str, str]:
    """Core a active and trading, core b its standby; their lease tokens' holders."""
    a = failover.core("a")
    eventually(lambda: failover.holder_pid() == a.pid, 90, "core a holds the lease")
    token_a = failover.lease()["token"]
    eventually(lambda: _orders_by_token(failover)[token_a] >= 5, 60, "core a trades")
    failover.core("b")
    eventually(lambda: len(failover.standbys()) == 1, 90, "core b waits as standby")
    return token_a, failover.standbys()[0]


def _check_books_agree(failover: Failover) -> dict[str, Any]:
    """Stop the exchange (its record is then final), let the active core take in its last
    reports, stop the core, and compare the book in SQL with the exchange's own record."""
    failover.processes["exchange"].stop()
    record = failover.exchange_record()
    exchange_trades = sorted(trade["trade_id"] for trade in record["trades"])
    exchange_orders = {order["order_id"] for order in record["orders"]}
    assert exchange_trades, "the exchange filled nothing"
    assert len(set(exchange_trades)) == len(exchange_trades)

    def book_trades() -> list[str]:
        return sorted(row[0] for row in failover.sql("SELECT trade_id FROM trades"))

    eventually(lambda: book_trades() == exchange_trades, 30, "the book records every fill")
    failover.processes["b"].stop()
    assert book_trades() == exchange_trades  # none lost, none twice
    book_orders = {row[0] for row in failover.sql("SELECT order_id FROM orders")}
    assert exchange_orders <= book_orders
    # Every order the exchange holds was taken once, from one request.
    taken = [note["data"].strip('"') for note in failover.ledger() if note["op"] == "send"]
    taken = [order_id for order_id in taken if order_id in exchange_orders]
    assert sorted(taken) == sorted(exchange_orders)
    held = {
        (row[0], row[1]): int(row[2])
        for row in failover.sql("SELECT symbol, direction, volume FROM positions")
        if int(row[2])
    }
    broker = {
        (leg["symbol"], leg["direction"]): sum(int(v) for _p, v in leg["today"] + leg["yesterday"])
        for leg in record["positions"]
    }
    assert held == {key: volume for key, volume in broker.items() if volume}
    return record


BURST_MAX = 300  # distinct (price, volume) pairs


class OperatorBurst:
    """Orders sent through the web replicas in turn, each resting far from the market with
    a price and volume of its own, so that the exchange's record shows which request each
    of its orders came from."""

    def __init__(self, failover: Failover, bases: list[str]) -> None:
        self._failover = failover
        self._bases = bases
        self._stop = threading.Event()
        self.answers: list[tuple[Decimal, int, int, str]] = []  # price, volume, status, id
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        base = self._failover.last_price()
        for k in range(BURST_MAX):
            if self._stop.is_set():
                return
            price = base - Decimal("0.02") * (60 + k % 100)
            volume = 1 + k // 100
            url = self._bases[k % len(self._bases)] + "/api/v1/orders"
            body = {"symbol": SYMBOL, "side": "buy", "price": str(price), "volume": volume}
            try:
                answer = httpx.post(url, json=body, headers=self._failover.headers, timeout=15)
                status, order_id = answer.status_code, str(answer.json().get("order_id", ""))
            except (httpx.TransportError, ValueError):
                status, order_id = 0, ""
            self.answers.append((price, volume, status, order_id))
            time.sleep(0.05)


def _check_operator_orders(burst: OperatorBurst, record: dict[str, Any]) -> None:
    """Every accepted order is at the exchange once, as asked; no request made two."""
    orders = [o for o in record["orders"] if o["source"] == "operator"]
    by_id = {o["order_id"]: o for o in orders}
    pairs = Counter((Decimal(o["price"]), int(o["volume"])) for o in orders)
    assert all(count == 1 for count in pairs.values()), pairs.most_common(3)
    print("operator orders by answer:", Counter(status for _p, _v, status, _i in burst.answers))
    accepted = [(p, v, i) for p, v, status, i in burst.answers if status == 202]
    assert len(accepted) >= 10
    for price, volume, order_id in accepted:
        order = by_id[order_id]
        assert (Decimal(order["price"]), int(order["volume"])) == (price, volume)
    assert set(pairs) <= {(p, v) for p, v, _status, _id in burst.answers}


def test_the_standby_takes_over_a_killed_core_within_the_bound_and_nothing_is_lost(
    failover: Failover,
) -> None:
    token_a, _standby = _start_pair(failover)
    web = [failover.web("web-1"), failover.web("web-2")]
    burst = OperatorBurst(failover, web)
    burst.start()
    eventually(lambda: len(burst.answers) >= 10, 60, "the operator's orders flow")
    # Killed at a random moment of the stream of orders.
    time.sleep(random.uniform(0.0, 1.0))
    failover.processes["a"].signal(signal.SIGKILL)
    killed = time.monotonic()
    b = failover.processes["b"]
    eventually(lambda: failover.holder_pid() == b.pid, TAKEOVER_BOUND_S, "core b takes the lease")
    taken_after = time.monotonic() - killed
    assert taken_after <= TAKEOVER_BOUND_S
    token_b = failover.lease()["token"]
    assert int(token_b) > int(token_a)
    # b reconciled, resumed the strategy and trades under its own token.
    eventually(lambda: _orders_by_token(failover)[token_b] >= 1, 60, "core b trades")
    trading_after = time.monotonic() - killed
    print(f"takeover: lease {taken_after:.2f} s, first order {trading_after:.2f} s after the kill")
    eventually(lambda: _orders_by_token(failover)[token_b] >= 5, 60, "core b keeps trading")
    sent = len(burst.answers)
    eventually(lambda: len(burst.answers) >= sent + 10, 60, "the operator's orders flow again")
    burst.stop()
    # Both consoles' health shows the new core.
    holder = failover.lease()["holder"]
    for base in web:
        core = eventually(
            lambda base=base: (
                httpx.get(f"{base}/api/v1/health", timeout=5).json()["components"].get("core")
            ),
            30,
            f"{base} shows the active core",
        )
        assert core["state"] == "up"
        assert core["detail"].startswith(f"active: {holder} ")
    record = _check_books_agree(failover)
    _check_operator_orders(burst, record)


def test_a_core_paused_past_its_lease_sends_nothing_when_it_resumes(failover: Failover) -> None:
    token_a, _standby = _start_pair(failover)
    a, b = failover.processes["a"], failover.processes["b"]
    a.signal(signal.SIGSTOP)
    eventually(lambda: failover.holder_pid() == b.pid, TAKEOVER_BOUND_S, "core b takes the lease")
    token_b = failover.lease()["token"]
    eventually(lambda: _orders_by_token(failover)[token_b] >= 3, 60, "core b trades")
    before = len(failover.ledger())
    a.signal(signal.SIGCONT)
    assert a.wait(60) == 3  # it found its lease lost and ended
    sent_a = [note for note in failover.ledger()[before:] if note["token"] == token_a]
    assert sent_a == []  # nothing reached the exchange's intake from the old core
    assert "lease" in a.log()
    _check_books_agree(failover)
