"""The System page after a restart whose book differs from the broker's: it shows each
difference, refuses to resume, accepts the broker's positions with a confirmation and a
reason, and then resumes trading."""

import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from arbig_server import SYMBOL, ArbigServer
from console_kit import BROWSER_ENV, SCREENSHOTS, Console
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def wait_for(read: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := read():
            return value
        time.sleep(0.1)
    pytest.fail(f"condition not met within {timeout} s")


def buy_one_lot(server: ArbigServer) -> None:
    api = f"{server.base}/api/v1"

    def tick() -> Any:
        answer = httpx.get(f"{api}/market/{SYMBOL}/tick", headers=server.headers, timeout=5)
        return answer.json() if answer.status_code == 200 else None

    price = Decimal(wait_for(tick)["ask_price"]) + Decimal("0.40")
    order = {"symbol": SYMBOL, "side": "buy", "price": f"{price:.2f}", "volume": 1}
    sent = httpx.post(f"{api}/orders", json=order, headers=server.headers, timeout=10)
    assert sent.status_code == 202, sent.text

    def filled() -> bool:
        held = httpx.get(f"{api}/positions", headers=server.headers, timeout=5).json()
        return any(p["symbol"] == SYMBOL and p["volume"] == 1 for p in held)

    wait_for(filled)


def add_a_fill_the_broker_never_made(data_dir: Any) -> None:
    with sqlite3.connect(data_dir / "arbig.sqlite3") as db:
        cursor = db.execute("SELECT * FROM trades")
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        row.update(id=None, trade_id=row["trade_id"] + "-phantom")
        db.execute(
            f"INSERT INTO trades ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArbigServer]:
    s = ArbigServer(tmp_path_factory.mktemp("reconcile") / "data", env=BROWSER_ENV)
    s.start()
    try:
        buy_one_lot(s)
        s.stop()
        add_a_fill_the_broker_never_made(s.data_dir)
        s.start()  # the book says 2 lots, the broker 1: halted by the reconciliation
        yield s
    finally:
        s.stop()


def confirm(page: Page) -> None:
    page.locator("dialog[open]").get_by_test_id("dialog-confirm").click()


def test_the_operator_accepts_the_broker_positions_then_resumes(console: Console) -> None:
    page = console.page
    page.goto(console.url("/"))
    panel = page.get_by_test_id("reconciliation")
    row = panel.get_by_test_id(f"recon-{SYMBOL}-long")
    expect(row).to_contain_text("2")
    expect(row).to_contain_text("-1")
    expect(panel.get_by_test_id("recon-halted")).to_contain_text("differ")
    expect(page.get_by_test_id("trading-state")).to_contain_text("已暂停")

    # Resuming first is refused with the reason.
    page.get_by_test_id("estop-reset").click()
    page.get_by_test_id("reset-reason").fill("looks fine")
    confirm(page)
    expect(page.get_by_test_id("trading-controls")).to_contain_text(
        "accept the broker's positions first"
    )

    panel.get_by_test_id("recon-accept").click()
    go = page.locator("dialog[open]").get_by_test_id("dialog-confirm")
    expect(go).to_be_disabled()  # a reason is required
    page.get_by_test_id("recon-reason").fill("the broker is right")
    page.screenshot(path=str(SCREENSHOTS / "system-reconciliation.png"), full_page=True)
    go.click()
    expect(panel.get_by_test_id("recon-ok")).to_be_visible()
    expect(panel.get_by_test_id("recon-accepted")).to_contain_text("1")
    expect(page.get_by_test_id("trading-state")).to_contain_text("已暂停")  # until resumed

    page.get_by_test_id("estop-reset").click()
    page.get_by_test_id("reset-reason").fill("reconciled")
    confirm(page)
    expect(page.get_by_test_id("trading-state")).to_contain_text("正常交易")

    positions = console.api("GET", "/positions")
    assert [(p["symbol"], p["direction"], p["volume"]) for p in positions] == [  # type: ignore[attr-defined]
        (SYMBOL, "long", 1)
    ]
    [entry] = console.api("GET", "/audit?action=reconcile_accept")  # type: ignore[misc]
    assert entry["result"] == "ok" and entry["actor"] == "operator"
    # The browser logs the refused resume's 409; nothing else may be logged.
    assert [e for e in console.errors if "409 (Conflict)" not in e] == []
