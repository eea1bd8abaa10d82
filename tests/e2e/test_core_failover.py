"""One core at a time (docs/deployment.md): the active core killed in the middle of a
stream of orders, or paused past its lease, and the standby taking over; checked against
the shared simulated exchange's own record."""

import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
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


def _check_books_agree(failover: Failover) -> None:
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


def test_the_standby_takes_over_a_killed_core_within_the_bound_and_nothing_is_lost(
    failover: Failover,
) -> None:
    token_a, _standby = _start_pair(failover)
    web = [failover.web("web-1"), failover.web("web-2")]
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
    _check_books_agree(failover)


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
