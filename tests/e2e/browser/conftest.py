"""Fixtures for the console's browser tests: a real ARBIG, Debian's Chromium
driven by Playwright, and signed-in pages that record console errors."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from console_kit import CHROMIUM, CHROMIUM_ARGS, STATIC, Console, new_console
from console_server import ConsoleServer
from playwright.sync_api import Browser, Playwright, sync_playwright


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
