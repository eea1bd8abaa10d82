"""The real embedded system (simulated exchange, SQLite in tmp_path) behind a TestClient."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import PASSWORD, login, make_settings

from arbig.auth.credential_file import CredentialFile
from arbig.config import Settings
from arbig.embedded import embedded_app
from arbig.logs import configure_logging


@pytest.fixture(autouse=True, scope="session")
def structured_logging() -> None:
    """As `arbig run` does: structlog through the standard library (so system_logs fills)."""
    configure_logging("info")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path / "data")
    store = CredentialFile(settings.data_dir)
    creds = store.load()
    creds.set_password(PASSWORD)
    store.save(creds)
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(embedded_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def csrf(client: TestClient) -> str:
    return login(client)
