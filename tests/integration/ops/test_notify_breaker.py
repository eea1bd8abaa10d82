"""A receiver that is down or answers 500 trips its channel's breaker while trading goes
on at full speed; the channel recovers when the receiver comes back. The real embedded
system (simulator, SQLite) behind a TestClient, fills sent through the REST API."""

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from receivers import Webhook, free_port
from test_metrics_endpoint import samples, settings_for, token_for

from arbig.config import RiskSettings, default_main_contract
from arbig.embedded import embedded_app
from arbig.opsconfig import ChannelSettings, NotifyEvent, NotifySettings

pytestmark = pytest.mark.integration
SYMBOL = default_main_contract()  # tradable today: not in its delivery month


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"condition not met within {timeout} s")


def notify_settings(url: str) -> NotifySettings:
    return NotifySettings(
        channels={"hook": ChannelSettings(url=url, events=[NotifyEvent.FILL])},
        rate_per_minute=1000,
        retries=1,
        retry_initial_s=0.05,
        breaker_failures=2,
        breaker_reset_s=1.0,
        timeout_s=2.0,
    )


def buy(client: TestClient, headers: dict[str, str], volume: int = 1) -> None:
    tick = wait_for(lambda: client.get(f"/api/v1/market/{SYMBOL}/tick", headers=headers).json())
    price = Decimal(tick["ask_price"]) + Decimal("0.40")
    response = client.post(
        "/api/v1/orders",
        json={"symbol": SYMBOL, "side": "buy", "price": str(price), "volume": volume},
        headers=headers,
    )
    assert response.status_code == 202, response.text


def metric(client: TestClient, headers: dict[str, str], name: str, **labels: str) -> float:
    found = samples(client.get("/metrics", headers=headers).text)
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def ticks(client: TestClient, headers: dict[str, str]) -> float:
    return metric(client, headers, "arbig_ticks_received_total", contract=SYMBOL)


@pytest.mark.parametrize("failure", ["answers 500", "is down"])
def test_a_failing_receiver_opens_the_breaker_and_trading_goes_on(
    tmp_path: Path, failure: str
) -> None:
    hook = Webhook()
    url = hook.url if failure == "answers 500" else f"json://127.0.0.1:{free_port()}/hook"
    # Four like orders in a second: the duplicate rule is not what this is about.
    risk = RiskSettings(duplicate_window_s=0)
    settings = settings_for(tmp_path / "data", notify=notify_settings(url), risk=risk)
    headers = token_for(settings)
    with hook, TestClient(embedded_app(settings)) as client:
        hook.status, hook.delay_s = 500, 0.5  # slow and failing
        wait_for(lambda: ticks(client, headers) > 0)
        started, before = time.monotonic(), ticks(client, headers)
        for _ in range(4):
            buy(client, headers)
        wait_for(lambda: metric(client, headers, "arbig_notification_circuit_open", channel="hook"))
        wait_for(lambda: len(client.get("/api/v1/positions", headers=headers).json()) == 1)
        time.sleep(1.0)
        rate = (ticks(client, headers) - before) / (time.monotonic() - started)
        # 20x CTP's pace is 40 ticks a second; the loop keeps it while the sender fails.
        assert rate > 20, f"{rate:.1f} ticks a second while the receiver failed"
        assert (
            metric(client, headers, "arbig_notifications_total", channel="hook", outcome="failed")
            >= 2
        )

        if failure == "is down":
            return  # nothing will come back on that port
        hook.status, hook.delay_s = 200, 0.0
        time.sleep(1.1)  # the breaker's reset period
        buy(client, headers)
        wait_for(lambda: hook.received)
        wait_for(
            lambda: not metric(client, headers, "arbig_notification_circuit_open", channel="hook")
        )
        assert hook.titles()[-1].startswith("ARBIG: fill buy open")
        assert (
            metric(client, headers, "arbig_notifications_total", channel="hook", outcome="sent")
            >= 1
        )
