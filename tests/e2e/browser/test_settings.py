"""Display settings: English on request, light theme, the other P&L colours,
all remembered across a reload; keyboard users reach the pages."""

import pytest
from console_kit import SCREENSHOTS, Console
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_english_light_and_swapped_colours_persist(console: Console) -> None:
    page = console.page
    page.goto(console.url("/market"))
    expect(page.get_by_test_id("nav-market")).to_have_text("行情")
    page.get_by_test_id("lang").select_option("en")
    page.get_by_test_id("theme").select_option("light")
    page.get_by_test_id("pnl-colors").select_option("west")
    expect(page.get_by_test_id("nav-market")).to_have_text("Market")

    page.reload()
    expect(page.get_by_test_id("nav-market")).to_have_text("Market")
    root = page.locator("html")
    expect(root).to_have_attribute("data-theme", "light")
    expect(root).to_have_attribute("data-pnl", "west")
    expect(root).to_have_attribute("lang", "en")
    up = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--up').trim()")
    green = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--green').trim()"
    )
    assert up == green  # green is up in the other convention
    expect(page.get_by_test_id("last-price")).not_to_have_text("—")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "market-en-light.png"), full_page=True)
    assert console.errors == []


def test_keyboard_reaches_the_pages(console: Console) -> None:
    page = console.page
    page.goto(console.url("/"))
    expect(page.get_by_test_id("system-page")).to_be_visible()
    page.get_by_test_id("nav-positions").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("positions-page")).to_be_visible()
    # every form control has an accessible name
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
             .filter((el) => !el.closest('dialog:not([open])'))
             .filter((el) => {
               const aria = el.getAttribute('aria-label')
               const labelled = el.labels && el.labels.length
               return !(aria || labelled || el.textContent.trim())
             }).map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
