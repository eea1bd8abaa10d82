"""The System page's protections and notification channels, and its "send a test
message" button, delivering to a webhook receiver in the test."""

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from arbig_server import ArbigServer
from console_kit import BROWSER_ENV, SCREENSHOTS, Console
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[2] / "integration" / "ops"))

from receivers import Webhook

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def hook() -> Iterator[Webhook]:
    with Webhook() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, hook: Webhook) -> Iterator[ArbigServer]:
    env = {
        **BROWSER_ENV,
        "ARBIG_NOTIFY__CHANNELS": json.dumps({"desk": {"url": hook.url}}),
        "ARBIG_PROTECTIONS__DAILY_LOSS_LIMIT_YUAN": "20000",
        "ARBIG_PROTECTIONS__MAX_MARGIN_RATIO": "0.6",
    }
    s = ArbigServer(tmp_path_factory.mktemp("ops") / "data", env=env)
    s.start()
    yield s
    s.stop()


def test_the_system_page_shows_thresholds_and_sends_a_test_message(
    console: Console, hook: Webhook
) -> None:
    page = console.page
    page.goto(console.url("/"))
    panel = page.get_by_test_id("ops-panel")
    expect(panel.get_by_test_id("protection-dailyLoss")).to_contain_text("20000")
    expect(panel.get_by_test_id("protection-margin")).to_contain_text("60%")
    expect(panel.get_by_test_id("protection-drawdown")).to_contain_text("未启用")
    expect(panel.get_by_test_id("channel-desk")).to_contain_text("json://")

    panel.get_by_test_id("notify-test").click()
    expect(panel.get_by_test_id("test-result")).to_contain_text("测试消息已发送")
    assert "ARBIG: test message" in hook.titles()
    panel.screenshot(path=str(SCREENSHOTS / "system-notifications.png"))
    assert console.errors == []
