"""A split deployment seen through its consoles: one core and two web replicas on
MariaDB and a private Redis, as subprocesses.

- A position closed through replica B disappears live from the console on replica A;
  a logout on B ends the session on A.
- A poison command lands in the dead-letter stream after its retries and shows on the
  System page.
- Redis restarted under load: core and replicas resume; orders sent meanwhile are
  refused with a clear error and never carried out later.
- A replica killed: its WebSocket client reconnects to the other and re-reads.
"""

import contextlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
import redis
from arbig_server import SYMBOL
from console_kit import SCREENSHOTS, new_console
from playwright.sync_api import Browser, expect
from split_kit import SplitDeployment, deployment
from websockets.sync.client import ClientConnection, connect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SplitDeployment]:
    rig = deployment(tmp_path_factory)
    try:
        rig.start()
        yield rig
    finally:
        rig.stop()


def api(split: SplitDeployment, replica: int, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(
        method,
        f"{split.webs[replica].base}/api/v1{path}",
        json=body,
        headers=split.headers,
        timeout=30,
    )
    assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def buy(split: SplitDeployment, replica: int, volume: int) -> httpx.Response:
    tick = api(split, replica, "GET", f"/market/{SYMBOL}/tick")
    price = Decimal(tick["ask_price"]) + Decimal("0.40")
    order = {"symbol": SYMBOL, "side": "buy", "price": f"{price:.2f}", "volume": volume}
    return httpx.post(
        f"{split.webs[replica].base}/api/v1/orders", json=order, headers=split.headers, timeout=30
    )


def long_volume(split: SplitDeployment, replica: int) -> int:
    rows = api(split, replica, "GET", "/positions")
    return sum(r["volume"] for r in rows if r["symbol"] == SYMBOL and r["direction"] == "long")


def wait_for(check: Any, timeout_s: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"{what}: not met in {timeout_s} s"
        time.sleep(0.1)


@contextmanager
def ws(split: SplitDeployment, replica: int, topics: list[str]) -> Iterator[ClientConnection]:
    url = split.webs[replica].base.replace("http", "ws") + "/ws"
    with connect(url, additional_headers=split.headers, open_timeout=10) as connection:
        connection.send(json.dumps({"op": "subscribe", "topics": topics}))
        yield connection


def frames(connection: ClientConnection, until: Any, timeout_s: float = 30.0) -> list[Any]:
    got: list[Any] = []
    deadline = time.monotonic() + timeout_s
    pinged = time.monotonic()
    while not until(got):
        assert time.monotonic() < deadline, f"frames: not seen in {timeout_s} s: {got[-3:]}"
        if time.monotonic() - pinged > 10:  # the server closes a client idle for 60 s
            connection.send(json.dumps({"op": "ping"}))
            pinged = time.monotonic()
        with contextlib.suppress(TimeoutError):
            got.append(json.loads(connection.recv(timeout=5)))
    return got


def test_a_close_through_b_shows_live_on_a_and_a_logout_on_b_ends_a(
    split: SplitDeployment, browser: Browser
) -> None:
    console = new_console(browser, split.webs[0])  # type: ignore[arg-type]
    try:
        assert buy(split, 1, 2).status_code == 202
        wait_for(lambda: long_volume(split, 1) == 2, what="the buy filled")
        page = console.page
        page.goto(console.url("/positions"))
        row = page.get_by_test_id(f"position-{SYMBOL}-long")
        expect(row.get_by_test_id("position-volume")).to_contain_text("2 ")

        preview = api(split, 1, "POST", "/positions/close", {"symbol": SYMBOL, "direction": "long"})
        api(split, 1, "POST", "/positions/close/confirm", {"token": preview["token"]})
        wait_for(lambda: long_volume(split, 1) == 0, what="the close filled")
        # Live, through A's own hub: the row goes, or shows no lots.
        held = row.get_by_test_id("position-volume").filter(has_text=re.compile(r"^\s*[1-9]"))
        expect(held).to_have_count(0, timeout=20_000)
        page.screenshot(path=str(SCREENSHOTS / "split-closed-through-b.png"))

        # The same session (one site behind a balancer) signs out through B...
        b = split.webs[1].base
        out = console.context.request.post(
            f"{b}/api/v1/auth/logout", headers={"X-CSRF-Token": console.csrf()}
        )
        assert out.ok, out.text()
        # ...and A no longer knows it.
        assert console.context.request.get(console.url("/api/v1/auth/me")).status == 401
        page.goto(console.url("/positions"))
        expect(page).to_have_url(re.compile(r"/login(\?|$)"), timeout=15_000)
        assert console.errors == [] or all("401" in e for e in console.errors)
    finally:
        console.context.close()


def test_a_poison_command_is_dead_lettered_and_shown_on_the_system_page(
    split: SplitDeployment, browser: Browser
) -> None:
    bus = redis.Redis.from_url(split.redis.url)
    deadline_ms = int((time.time() + 60) * 1000)
    bus.xadd(
        "arbig:requests",
        {"id": uuid.uuid4().hex, "m": "positions", "a": "{not json", "dl": deadline_ms, "r": "x"},
    )
    wait_for(lambda: bus.xlen("arbig:requests:dead") == 1, what="dead-lettered")
    bus.close()

    console = new_console(browser, split.webs[0])  # type: ignore[arg-type]
    try:
        console.page.goto(console.url("/"))
        row = console.page.get_by_test_id("component-command_bus")
        expect(row).to_contain_text("1 dead-lettered", timeout=15_000)
        console.page.screenshot(path=str(SCREENSHOTS / "split-dead-letter.png"), full_page=True)
    finally:
        console.context.close()
    metrics = httpx.get(f"{split.webs[0].base}/metrics", headers=split.headers, timeout=10).text
    assert "arbig_report_cache_requests" in metrics


def test_a_redis_restart_under_load_is_ridden_out_and_no_order_runs_twice(
    split: SplitDeployment,
) -> None:
    with ws(split, 1, [f"tick:{SYMBOL}"]) as watcher:
        frames(watcher, lambda got: sum(f.get("type") == "tick" for f in got) >= 3)
        accepted = 0
        for _ in range(3):
            response = buy(split, 0, 1)
            assert response.status_code == 202, response.text
            accepted += 1
        tick = api(split, 0, "GET", f"/market/{SYMBOL}/tick")
        price = Decimal(tick["ask_price"]) + Decimal("0.40")

        split.redis.kill()
        refused = post_order(split, price)
        assert refused.status_code == 503
        assert "cannot be reached" in refused.json()["detail"]
        split.redis.start()

        deadline = time.monotonic() + 60
        while True:
            response = post_order(split, price)
            if response.status_code == 202:
                accepted += 1
                break
            assert response.status_code == 503, response.text
            assert time.monotonic() < deadline, "orders did not resume"
            time.sleep(0.5)
        # The watcher on B is told to re-read (a snapshot), then ticks flow again.
        frames(watcher, lambda got: any(f.get("snapshot") for f in got), timeout_s=60)
        frames(watcher, lambda got: sum(f.get("type") == "tick" for f in got) >= 3)
    time.sleep(2.0)  # a late execution of the refused order would show by now
    orders = api(split, 1, "GET", "/orders")
    assert len(orders) == accepted + 2  # and the two of the close test


def post_order(split: SplitDeployment, price: Decimal) -> httpx.Response:
    # At a price read before Redis went: the tick read itself is refused meanwhile.
    order = {"symbol": SYMBOL, "side": "buy", "price": f"{price:.2f}", "volume": 1}
    return httpx.post(
        f"{split.webs[0].base}/api/v1/orders", json=order, headers=split.headers, timeout=30
    )


def test_a_killed_replicas_websocket_client_reconnects_to_the_other_and_rereads(
    split: SplitDeployment,
) -> None:
    with ws(split, 0, ["positions"]) as first:
        snapshot = frames(first, lambda got: any(f.get("topic") == "positions" for f in got))[-1]
        split.webs[0].kill()
        try:
            with pytest.raises(Exception):  # noqa: B017 (the connection is gone, however it says so)
                first.recv(timeout=10)
            with ws(split, 1, ["positions"]) as second:
                reread = frames(
                    second, lambda got: any(f.get("topic") == "positions" for f in got)
                )[-1]
            assert reread["snapshot"] is True

            def lots(rows: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
                return {(r["symbol"], r["direction"], r["volume"]) for r in rows}

            assert lots(reread["data"]) == lots(api(split, 1, "GET", "/positions"))
            volumes = {r["direction"]: r["volume"] for r in reread["data"]}
            assert volumes.get("long", 0) >= sum(r["volume"] for r in snapshot["data"])
        finally:
            split.webs[0].start()


def test_an_order_retried_with_its_key_on_the_other_replica_acts_once(
    split: SplitDeployment,
) -> None:
    tick = api(split, 1, "GET", f"/market/{SYMBOL}/tick")
    price = Decimal(tick["bid_price"]) - Decimal("0.60")  # rests
    order = {"symbol": SYMBOL, "side": "buy", "price": f"{price:.2f}", "volume": 1}
    headers = {**split.headers, "Idempotency-Key": uuid.uuid4().hex}
    before = len(api(split, 1, "GET", "/orders"))
    answers = [
        httpx.post(f"{web.base}/api/v1/orders", json=order, headers=headers, timeout=30)
        for web in split.webs
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert len(api(split, 1, "GET", "/orders")) == before + 1
