"""The System page's operations API: thresholds, channels, and the test message."""

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from receivers import Webhook
from test_metrics_endpoint import settings_for, token_for

from arbig.embedded import embedded_app
from arbig.opsconfig import ChannelSettings, NotifySettings, ProtectionSettings

pytestmark = pytest.mark.integration


def test_the_thresholds_and_channels_are_shown_without_the_urls(tmp_path: Path) -> None:
    with Webhook() as hook:
        settings = settings_for(
            tmp_path / "data",
            notify=NotifySettings(channels={"desk": ChannelSettings(url=hook.url)}),
            protections=ProtectionSettings(
                daily_loss_limit_yuan=Decimal(20000), max_losing_streak=3
            ),
        )
        headers = token_for(settings)
        with TestClient(embedded_app(settings)) as client:
            view = client.get("/api/v1/ops", headers=headers).json()
    assert view["protections"]["daily_loss_limit_yuan"] == "20000"
    assert view["protections"]["daily_loss_action"] == "halted"
    assert view["protections"]["max_losing_streak"] == 3
    assert view["protections"]["max_drawdown_ratio"] is None
    [channel] = view["notify"]["channels"]
    assert channel["name"] == "desk"
    assert channel["scheme"] == "json"
    assert channel["breaker_open"] is False
    assert str(hook.port) not in str(view)
    assert view["notify"]["daily_summary_at"] == "15:30"


def test_the_test_message_reaches_the_channel(tmp_path: Path) -> None:
    with Webhook() as hook:
        settings = settings_for(
            tmp_path / "data",
            notify=NotifySettings(channels={"desk": ChannelSettings(url=hook.url)}),
        )
        headers = token_for(settings)
        with TestClient(embedded_app(settings)) as client:
            response = client.post("/api/v1/ops/notify-test", headers=headers)
            assert client.post("/api/v1/ops/notify-test").status_code == 401
    assert response.status_code == 200, response.text
    assert response.json() == {"results": {"desk": True}}
    assert hook.titles() == ["ARBIG: test message"]


def test_a_test_message_without_channels_is_refused_with_the_reason(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    headers = token_for(settings)
    with TestClient(embedded_app(settings)) as client:
        response = client.post("/api/v1/ops/notify-test", headers=headers)
    assert response.status_code == 409
    assert "no notification channels" in response.json()["detail"]
