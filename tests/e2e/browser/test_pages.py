"""Every page of the console loads signed in, shows live data, logs no console
error, and is photographed for the docs; the login page guards them all."""

import re
import time

import pytest
from conftest import SCREENSHOTS, Console
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PAGES = [
    ("/", "system-page", "system"),
    ("/market", "market-page", "market"),
    ("/positions", "positions-page", "positions"),
    ("/account", "account-page", "account"),
    ("/strategy", "strategy-page", "strategy"),
    ("/trades", "trades-page", "trades"),
]


def first_live_ms(console: Console, name: str) -> float:
    """Milliseconds from navigation start to the page's first live value."""
    mark = f"arbig:first-live:{name}"
    console.page.wait_for_function(f"performance.getEntriesByName({mark!r}).length > 0", timeout=5000)
    return float(console.page.evaluate(f"performance.getEntriesByName({mark!r})[0].startTime"))


def test_pages_require_login_and_return_after_it(anonymous: Console) -> None:
    page = anonymous.page
    page.goto(anonymous.url("/positions"))
    expect(page.get_by_test_id("login-page")).to_be_visible()
    assert "next=%2Fpositions" in page.url or "next=/positions" in page.url
    page.screenshot(path=str(SCREENSHOTS / "login.png"))

    page.get_by_test_id("password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()

    from console_server import PASSWORD

    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("positions-page")).to_be_visible()
    assert page.url.endswith("/positions")
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    assert anonymous.errors == [] or all("401" in e for e in anonymous.errors), anonymous.errors


@pytest.mark.parametrize(("path", "testid", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_page_loads_live_without_console_errors(console: Console, path: str, testid: str, name: str) -> None:
    page = console.page
    page.goto(console.url(path))
    expect(page.get_by_test_id(testid)).to_be_visible()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    elapsed = first_live_ms(console, name)
    print(f"\n[perf] {name}: page load -> first live data {elapsed:.0f} ms")
    expect(page.get_by_test_id("error")).to_have_count(0)
    time.sleep(1.0)  # let charts draw
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert console.errors == []


def test_ticks_move_the_market_page_smoothly(console: Console) -> None:
    page = console.page
    page.goto(console.url("/market"))
    tick_time = page.get_by_test_id("tick-time")
    expect(tick_time).not_to_have_text(re.compile(r"—"))
    seen = {tick_time.inner_text()}
    deadline = time.monotonic() + 5
    while len(seen) < 4 and time.monotonic() < deadline:
        page.wait_for_timeout(150)
        seen.add(tick_time.inner_text())
    assert len(seen) >= 4, f"the quote did not move: {seen}"

    # ten ticks a second: count frames and renders over three seconds
    stats = page.evaluate(
        """async () => {
            const m = window.__arbigMarket
            const r0 = m.received, a0 = m.applied
            let frames = 0, worst = 0, last = performance.now()
            const stop = performance.now() + 3000
            await new Promise((done) => {
              const step = (t) => {
                frames++; worst = Math.max(worst, t - last); last = t
                if (t < stop) requestAnimationFrame(step); else done()
              }
              requestAnimationFrame(step)
            })
            return { ticks: m.received - r0, renders: m.applied - a0, frames, worstFrameMs: worst }
        }"""
    )
    print(f"\n[perf] market over 3 s: {stats}")
    assert stats["ticks"] >= 20, stats
    assert stats["renders"] <= stats["ticks"]
    assert stats["worstFrameMs"] < 200, stats
    assert console.errors == []
