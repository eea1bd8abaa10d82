"""Handing lots of the account to the running strategy from the Positions page: who
owns the leg's lots before and after, the dialog's check (the free lots) and
statement, the handover made and audited, the strategy's own position on its page
updated live, a refusal shown with the server's reason, and no hand-over offered
once no lot is free."""

from typing import Any, cast

import pytest
from arbig_server import SYMBOL
from console_kit import SCREENSHOTS, Console, long_volume, open_long
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

STRATEGY = "ma_crossover"
# Averages longer than the bars it is given at the start: no signal, so the strategy
# neither opens nor closes lots of its own while the test looks at its position.
QUIET = {"fast": 400, "slow": 2000}


def strategy_status(console: Console) -> dict[str, Any]:
    return cast(dict[str, Any], console.api("GET", "/strategies/status"))


def test_hand_one_lot_to_the_running_strategy(console: Console) -> None:
    assert long_volume(console) == 0  # this module's own server
    console.api("PUT", f"/strategies/{STRATEGY}/params", {"params": QUIET})
    console.api("POST", f"/strategies/{STRATEGY}/start", {"confirm": True})
    try:
        open_long(console, 2)

        # The Strategy page, open in another tab, follows the handover without a reload.
        strategy_page = console.context.new_page()
        console.watch(strategy_page)
        strategy_page.goto(console.url("/strategy"))
        own = strategy_page.get_by_test_id("strategy-own")
        expect(own).to_have_attribute("data-long", "0")

        page = console.page
        page.goto(console.url("/positions"))
        row = page.get_by_test_id(f"position-{SYMBOL}-long")
        expect(row.get_by_test_id("position-volume")).to_contain_text("2 ", timeout=15_000)
        owner = row.get_by_test_id("position-owner")
        expect(owner).to_have_text("手动 2")  # bought by hand: all the operator's
        hand = row.get_by_test_id(f"handover-{SYMBOL}-long")
        hand.click()

        dialog = page.get_by_test_id("handover-dialog")
        expect(dialog).to_be_visible()
        expect(page.get_by_test_id("handover-strategy")).to_have_value(STRATEGY)
        modal = page.locator("dialog[open]")  # the close dialog is in the page too, shut
        confirm = modal.get_by_test_id("dialog-confirm")
        volume = page.get_by_test_id("handover-volume")
        volume.fill("3")  # more than the leg holds: refused before anything is sent
        expect(page.get_by_test_id("handover-problem")).to_be_visible()
        expect(confirm).to_be_disabled()
        volume.fill("1")
        what = page.get_by_test_id("handover-what")
        expect(what).to_contain_text(STRATEGY)
        expect(what).to_contain_text("不可撤销")  # the console speaks Chinese by default
        expect(confirm).to_be_enabled()
        page.screenshot(path=str(SCREENSHOTS / "positions-handover.png"))
        confirm.click()

        result = page.get_by_test_id("handover-result")
        expect(result).to_be_visible()
        expect(result).to_contain_text(STRATEGY)
        expect(dialog).to_be_hidden()
        expect(own).to_have_attribute("data-long", "1")
        expect(owner).to_have_text(f"策略 {STRATEGY} 1 / 手动 1")
        assert strategy_status(console)["long"] == 1
        assert long_volume(console) == 2  # the account holds what it held
        entries = cast(list[dict[str, Any]], console.api("GET", "/audit?action=strategy_hand_over"))
        [entry] = entries
        assert entry["result"] == "ok" and entry["target"] == STRATEGY
        assert entry["detail"]["volume"] == 1

        # One lot is free now: the dialog asks no more than that.
        hand.click()
        expect(dialog).to_be_visible()
        volume.fill("2")
        expect(page.get_by_test_id("handover-problem")).to_contain_text("1")
        expect(confirm).to_be_disabled()
        volume.fill("1")
        expect(confirm).to_be_enabled()
        # Another console hands that lot first: the server refuses this one with its reason.
        body = {"symbol": SYMBOL, "direction": "long", "volume": 1, "confirm": True}
        console.api("POST", "/strategies/hand-over", {"name": STRATEGY, **body})
        confirm.click()
        error = dialog.get_by_test_id("error")
        expect(error).to_contain_text("of which 0 are free")
        expect(dialog).to_be_visible()
        modal.get_by_test_id("dialog-cancel").click()
        expect(dialog).to_be_hidden()
        # The strategy owns the whole leg: nothing left to hand.
        expect(owner).to_have_text(f"策略 {STRATEGY} 2")
        expect(hand).to_be_hidden()
        assert strategy_status(console)["long"] == 2
        assert long_volume(console) == 2
    finally:
        console.api("POST", "/strategies/stop", {"confirm": True})
    # The browser logs the refused handover's 409; nothing else may be logged.
    assert [e for e in console.errors if "409 (Conflict)" not in e] == []
