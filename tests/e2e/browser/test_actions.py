"""The operator's actions through the console: close a position with the
server's preview and a confirmation, start and stop the strategy, and the
emergency stop whose banner shows on every page."""

import re
from typing import Any, cast

import pytest
from arbig_server import SYMBOL
from console_kit import SCREENSHOTS, Console, long_volume, open_long
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PAGES = ["/", "/market", "/positions", "/account", "/strategy", "/trades"]


def test_close_with_confirmation_changes_positions_and_trades(console: Console) -> None:
    before = long_volume(console)
    open_long(console, 2)
    page = console.page
    page.goto(console.url("/positions"))
    row = page.get_by_test_id(f"position-{SYMBOL}-long")
    expect(row.get_by_test_id("position-volume")).to_contain_text(f"{before + 2} ")

    row.get_by_test_id(f"close-{SYMBOL}-long").click()
    dialog = page.get_by_test_id("close-dialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("close-volume").fill("1")
    page.get_by_test_id("dialog-confirm").click()  # step 1: the server's preview
    expect(page.get_by_test_id("close-preview")).to_be_visible()
    expect(page.get_by_test_id("close-expected-pnl")).to_have_text(
        re.compile(r"^[+-]?[\d,]+\.\d\d$")
    )
    page.screenshot(path=str(SCREENSHOTS / "positions-close-preview.png"))
    page.get_by_test_id("dialog-confirm").click()  # step 2: confirm with the token

    result = page.get_by_test_id("close-result")
    expect(result).to_be_visible()
    expect(result).to_have_attribute("data-result", re.compile("filled|partly_filled|working"))
    # A close still working when the answer came fills on a following tick.
    expect(row.get_by_test_id("position-volume")).to_contain_text(f"{before + 1} ", timeout=15_000)
    assert long_volume(console) == before + 1

    page.get_by_test_id("nav-trades").click()
    expect(page.get_by_test_id("trades-page")).to_be_visible()
    first = page.get_by_test_id("trade-row").first
    expect(first).to_contain_text("平今")  # the close of today's lot, newest first
    expect(page.get_by_test_id("statistics")).to_be_visible()
    assert console.errors == []


def test_strategy_start_and_stop_are_reflected(console: Console) -> None:
    page = console.page
    page.goto(console.url("/strategy"))
    state = page.get_by_test_id("strategy-state")
    expect(state).to_have_attribute("data-state", "stopped")
    page.get_by_test_id("strategy-start").click()
    page.get_by_test_id("dialog-confirm").click()
    expect(state).to_have_attribute("data-state", "running")
    page.screenshot(path=str(SCREENSHOTS / "strategy-running.png"), full_page=True)
    page.get_by_test_id("strategy-stop").click()
    page.get_by_test_id("dialog-confirm").click()
    expect(state).to_have_attribute("data-state", "stopped")
    assert console.errors == []


def test_emergency_stop_banner_on_every_page_until_reset(console: Console) -> None:
    page = console.page
    page.goto(console.url("/"))
    page.get_by_test_id("estop").click()
    confirm = page.get_by_test_id("dialog-confirm").first
    expect(confirm).to_be_disabled()  # a reason is required
    page.get_by_test_id("estop-reason").fill("browser test")
    confirm.click()
    try:
        expect(page.get_by_test_id("halt-banner")).to_be_visible()
        expect(page.get_by_test_id("trading-state")).to_contain_text("已暂停")
        for path in PAGES:
            page.goto(console.url(path))
            banner = page.get_by_test_id("halt-banner")
            expect(banner).to_be_visible()
            expect(banner).to_contain_text("browser test")
        page.goto(console.url("/"))
        # the page's size is taken before the capture: wait for its last panel to fill
        expect(page.get_by_test_id("audit")).to_contain_text("emergency_stop")
        page.screenshot(path=str(SCREENSHOTS / "emergency-stop.png"), full_page=True)
        page.get_by_test_id("estop-reset").click()
        page.get_by_test_id("reset-reason").fill("test over")
        page.get_by_test_id("dialog-confirm").last.click()
        expect(page.get_by_test_id("halt-banner")).to_have_count(0)
    finally:
        state = cast(dict[str, Any], console.api("GET", "/risk/state"))
        if state.get("emergency"):
            console.api(
                "POST", "/risk/emergency-stop/reset", {"confirm": True, "reason": "cleanup"}
            )
    assert console.errors == []
