"""Fixtures for the console's browser tests: a real ARBIG, Debian's Chromium
driven by Playwright, and signed-in pages that record console errors."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_server import PASSWORD, ConsoleServer
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

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
SCREENSHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/system-deps.sh")
    if not STATIC.exists():
        pytest.fail("the console is not built: run `make frontend`")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    s = ConsoleServer(tmp_path_factory.mktemp("console") / "data")
    s.start()
    yield s
    s.stop()


class Console:
    """A browser context on the server, with the console errors it logged."""

    def __init__(self, context: BrowserContext, server: ConsoleServer) -> None:
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


def new_console(browser: Browser, server: ConsoleServer, *, signed_in: bool = True) -> Console:
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


@pytest.fixture
def console(browser: Browser, server: ConsoleServer) -> Iterator[Console]:
    c = new_console(browser, server)
    yield c
    c.context.close()


@pytest.fixture
def anonymous(browser: Browser, server: ConsoleServer) -> Iterator[Console]:
    c = new_console(browser, server, signed_in=False)
    yield c
    c.context.close()
