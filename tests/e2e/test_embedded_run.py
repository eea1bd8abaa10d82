"""`arbig run` end to end: live ticks over /ws, an order filled into the book, a restart."""

import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import orjson
import pytest
from arbig_server import SYMBOL, ArbigServer
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

FAST = {"ARBIG_SIM__SPEED": "5", "ARBIG_SIM__SEED": "7"}


def serve(data_dir: Path) -> Iterator[ArbigServer]:
    running = ArbigServer(data_dir, env=FAST)
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ArbigServer]:
    yield from serve(tmp_path / "data")


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArbigServer]:
    yield from serve(tmp_path_factory.mktemp("shared") / "data")


def receive_ticks(port: int, count: int, headers: dict[str, str]) -> list[dict[str, object]]:
    # The sync client: Playwright's sync API may own this thread's event loop.
    with connect(f"ws://127.0.0.1:{port}/ws", additional_headers=headers) as ws:
        ws.send(orjson.dumps({"op": "subscribe", "topics": [f"tick:{SYMBOL}"]}).decode())
        ack = orjson.loads(ws.recv(timeout=5))
        assert ack == {"type": "ack", "op": "subscribe", "topics": [f"tick:{SYMBOL}"]}
        ticks: list[dict[str, object]] = []
        while len(ticks) < count:
            message = orjson.loads(ws.recv(timeout=5))
            assert message["type"] == "tick"
            assert message["topic"] == f"tick:{SYMBOL}"
            ticks.append(message)
        return ticks


def book_rows(data_dir: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(f"file:{data_dir / 'arbig.sqlite3'}?mode=ro", uri=True) as db:
        trades = db.execute(
            "SELECT trade_id, symbol, direction, volume, price FROM trades ORDER BY trade_id"
        ).fetchall()
        positions = db.execute(
            "SELECT symbol, direction, volume FROM positions WHERE volume > 0"
        ).fetchall()
    return trades, positions


def test_run_streams_ticks_fills_an_order_and_keeps_the_book_across_restart(
    server: ArbigServer,
) -> None:
    ticks = receive_ticks(server.port, 4, server.headers)
    live = [t for t in ticks if not t.get("snapshot")]
    seqs = [int(str(t["seq"])) for t in live]
    assert len(live) >= 3
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs

    quote = httpx.get(f"{server.base}/api/v1/market/{SYMBOL}/tick", headers=server.headers).json()
    price = Decimal(quote["ask_price"]) + Decimal("0.40")  # marketable limit: through the ask
    response = httpx.post(
        f"{server.base}/api/v1/orders",
        json={"symbol": SYMBOL, "side": "buy", "offset": "open", "price": str(price), "volume": 2},
        headers=server.headers,
    )
    assert response.status_code == 202, response.text

    deadline = time.monotonic() + 15
    trades, positions = [], []
    while time.monotonic() < deadline:
        trades, positions = book_rows(server.data_dir)
        if sum(int(str(p[2])) for p in positions) == 2:
            break
        time.sleep(0.2)
    assert positions == [(SYMBOL, "long", 2)]
    assert sum(int(str(t[3])) for t in trades) == 2
    assert all(t[2] == "buy" for t in trades)

    server.stop()
    server.start()
    assert book_rows(server.data_dir) == (trades, positions)
    served = httpx.get(f"{server.base}/api/v1/positions", headers=server.headers).json()
    assert [(p["symbol"], p["direction"], p["volume"]) for p in served] == [(SYMBOL, "long", 2)]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"side": "buy", "price": "900.00", "volume": 0}, "volume"),
        ({"side": "buy", "price": "900.01", "volume": 1}, "tick"),
        ({"side": "buy", "price": "900.00", "volume": 1, "symbol": "au9913"}, "month"),
        ({"side": "buy", "price": "900.00", "volume": 1, "symbol": "zz2612"}, "symbol"),
        ({"side": "hold", "price": "900.00", "volume": 1}, "side"),
    ],
)
def test_bad_orders_get_422_with_a_message(
    shared_server: ArbigServer, body: dict[str, object], fragment: str
) -> None:
    response = httpx.post(
        f"{shared_server.base}/api/v1/orders",
        json={"symbol": SYMBOL, **body},
        headers=shared_server.headers,
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
