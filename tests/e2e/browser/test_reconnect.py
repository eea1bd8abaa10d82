"""The connection indicator: reconnecting when the server goes away, live
again when it is back on the same port; stale values are marked meanwhile."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from arbig_server import ArbigServer
from console_kit import BROWSER_ENV, SCREENSHOTS, Console, new_console
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ArbigServer]:
    s = ArbigServer(tmp_path / "data", env=BROWSER_ENV)
    s.start()
    yield s
    s.stop()


def test_indicator_reconnects_after_the_server_returns(
    browser: Browser, own_server: ArbigServer
) -> None:
    console: Console = new_console(browser, own_server)
    try:
        page = console.page
        page.goto(console.url("/market"))
        indicator = page.get_by_test_id("connection-state")
        expect(indicator).to_have_attribute("data-state", "open")
        expect(page.get_by_test_id("stale")).to_have_count(0)

        own_server.stop()
        expect(indicator).to_have_attribute("data-state", "reconnecting", timeout=10_000)
        expect(indicator).to_contain_text("重连中")
        expect(
            page.get_by_test_id("stale").first
        ).to_be_visible()  # the quote is marked, not shown as live
        page.screenshot(path=str(SCREENSHOTS / "reconnecting.png"))

        own_server.start()  # same port, same data folder, same credential
        expect(indicator).to_have_attribute("data-state", "open", timeout=40_000)
        expect(page.get_by_test_id("stale")).to_have_count(0, timeout=10_000)
        # the errors logged while the server was away are the browser's own
        # connection failures, not the console's
        unexpected = [
            e for e in console.errors if "ERR_CONNECTION_REFUSED" not in e and "WebSocket" not in e
        ]
        assert unexpected == []
    finally:
        console.context.close()
