"""Fixtures for the console's browser tests: a real ARBIG, Debian's Chromium
driven by Playwright, and signed-in pages that record console errors."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The server kit is shared with the end-to-end tests one folder up.
sys.path.insert(0, str(Path(__file__).parents[1]))

from arbig_server import ArbigServer
from console_kit import BROWSER_ENV, CHROMIUM, CHROMIUM_ARGS, STATIC, Console, new_console
from playwright.sync_api import Browser, Playwright, sync_playwright


# Module scope, not session: Playwright's sync API holds this thread's event loop
# while it is open, and the suites collected after this folder use asyncio.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: run scripts/system-deps.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    if not STATIC.exists():
        pytest.fail("the console is not built: run `make frontend`")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArbigServer]:
    s = ArbigServer(tmp_path_factory.mktemp("console") / "data", env=BROWSER_ENV)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def console(browser: Browser, server: ArbigServer) -> Iterator[Console]:
    c = new_console(browser, server)
    yield c
    c.context.close()


@pytest.fixture
def anonymous(browser: Browser, server: ArbigServer) -> Iterator[Console]:
    c = new_console(browser, server, signed_in=False)
    yield c
    c.context.close()
