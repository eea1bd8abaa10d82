"""Helpers of the console's browser tests: Chromium's path and flags, and a
signed-in browser context that records console errors.

A module of its own, not conftest: `from conftest import` would pick whichever
folder's conftest was imported first when the whole suite runs."""

import os
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from arbig_server import PASSWORD, SYMBOL, ArbigServer
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

CHROMIUM = os.environ.get("ARBIG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[3]
STATIC = REPO / "src" / "arbig" / "web" / "static" / "index.html"
# Every run saves a screenshot of every page under artifacts/; `make screenshots`
# (ARBIG_SCREENSHOTS=docs/screenshots) refreshes the ones the README shows.
SCREENSHOTS = REPO / os.environ.get("ARBIG_SCREENSHOTS", "artifacts/screenshots")
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


class Console:
    """A browser context on the server, with the console errors it logged."""

    def __init__(self, context: BrowserContext, server: ArbigServer) -> None:
        self.context = context
        self.server = server
        self.errors: list[str] = []
        self.page = context.new_page()
        self.watch(self.page)

    def watch(self, page: Page) -> None:
        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.errors.append(f"console: {msg.text} @ {page.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc} @ {page.url}"))

    def url(self, path: str) -> str:
        return self.server.base + path

    def sign_in(self) -> None:
        res = self.context.request.post(self.url("/api/v1/auth/login"), data={"password": PASSWORD})
        assert res.ok, res.text()

    def csrf(self) -> str:
        for c in self.context.cookies(self.server.base):
            if c["name"] == "arbig_csrf":
                return c["value"]
        raise AssertionError("no arbig_csrf cookie")

    def api(self, method: str, path: str, body: object | None = None) -> object:
        res = self.context.request.fetch(
            self.url("/api/v1" + path),
            method=method,
            data=body,
            headers={"X-CSRF-Token": self.csrf()} if method != "GET" else {},
        )
        assert res.ok, f"{method} {path}: {res.status} {res.text()}"
        return res.json()


def new_console(browser: Browser, server: ArbigServer, *, signed_in: bool = True) -> Console:
    context = browser.new_context(
        viewport={"width": 1360, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=server.base,
    )
    console = Console(context, server)
    if signed_in:
        console.sign_in()
    return console


# Ten ticks a second: the console must stay smooth at that rate.
BROWSER_ENV = {"ARBIG_SIM__TICK_INTERVAL_MS": "100", "ARBIG_SIM__SEED": "11"}


def open_long(console: Console, volume: int) -> None:
    """A marketable buy through the API, with the session's CSRF token."""
    tick = cast(dict[str, Any], console.api("GET", f"/market/{SYMBOL}/tick"))
    price = Decimal(tick["ask_price"]) + Decimal("0.40")
    console.api(
        "POST",
        "/orders",
        {
            "symbol": SYMBOL,
            "side": "buy",
            "offset": "open",
            "price": f"{price:.2f}",
            "volume": volume,
        },
    )


def long_volume(console: Console) -> int:
    rows = cast(list[dict[str, Any]], console.api("GET", "/positions"))
    return sum(r["volume"] for r in rows if r["symbol"] == SYMBOL and r["direction"] == "long")
