"""Each CLI specification starts without the caller's ARBIG_* settings."""

import os

import pytest


@pytest.fixture(autouse=True)
def no_arbig_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ARBIG_"):
            monkeypatch.delenv(key)
    # load_settings records --config in ARBIG_CONFIG; monkeypatch restores it afterwards.
    monkeypatch.delenv("ARBIG_CONFIG", raising=False)
