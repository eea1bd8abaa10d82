"""`/metrics` on the console's port: the real embedded system behind a TestClient."""

import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from arbig.auth.credential_file import CredentialFile
from arbig.config import Settings, SimSettings, default_main_contract
from arbig.embedded import embedded_app
from arbig.opsconfig import MetricsSettings

SYMBOL = default_main_contract()  # tradable today: not in its delivery month


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        main_contract=SYMBOL,
        sim=SimSettings(speed=20, seed=11),
        snapshot_interval_s=0.2,
        **overrides,  # type: ignore[arg-type]
    )


def token_for(settings: Settings) -> dict[str, str]:
    store = CredentialFile(settings.data_dir)
    credentials = store.load()
    credentials.set_password("metrics-password")
    token = credentials.add_token("prometheus")
    store.save(credentials)
    return {"Authorization": f"Bearer {token}"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def scrape_until(client: TestClient, headers: dict[str, str], name: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = client.get("/metrics", headers=headers).text
        if name in text:
            return text
        time.sleep(0.1)
    pytest.fail(f"{name} never appeared in /metrics")


def test_metrics_need_the_operators_token_by_default(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    headers = token_for(settings)
    with TestClient(embedded_app(settings)) as client:
        assert client.get("/metrics").status_code == 401
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")


def test_metrics_report_ticks_state_account_and_process(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    headers = token_for(settings)
    with TestClient(embedded_app(settings)) as client:
        client.get("/api/v1/health")
        text = scrape_until(client, headers, f'arbig_ticks_received_total{{contract="{SYMBOL}"}}')
        found = samples(text)
    assert found["arbig_ticks_received_total", (("contract", SYMBOL),)] > 0
    assert found["arbig_tick_age_seconds", (("contract", SYMBOL),)] < 60
    assert found["arbig_gateway_connected", (("gateway", "sim"),)] == 1
    assert found["arbig_trading_state", (("state", "active"),)] == 1
    assert found["arbig_trading_state", (("state", "halted"),)] == 0
    assert found["arbig_account_balance_yuan", ()] == 1_000_000
    assert found["arbig_database_up", ()] == 1
    assert found["arbig_websocket_clients", ()] == 0
    assert found["process_resident_memory_bytes", ()] > 0
    health = (("method", "GET"), ("route", "/api/v1/health"), ("status", "2xx"))
    assert found["arbig_http_request_duration_seconds_count", health] >= 1


def test_metrics_without_a_token_on_a_loopback_port_of_their_own(tmp_path: Path) -> None:
    with socket_port() as port:
        pass
    settings = settings_for(tmp_path / "data", metrics=MetricsSettings(port=port))
    token_for(settings)
    with TestClient(embedded_app(settings)):
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert response.status_code == 200
        assert "arbig_gateway_connected" in response.text
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1)


def socket_port():  # type: ignore[no-untyped-def]
    import contextlib
    import socket

    @contextlib.contextmanager
    def free():  # type: ignore[no-untyped-def]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            yield probe.getsockname()[1]

    return free()
