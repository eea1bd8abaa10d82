"""The account against the broker's over the API: after a fill on the simulated
exchange, both sides' figures at its account report, and no difference."""

import pytest
from fastapi.testclient import TestClient
from webkit import login, open_long

from arbig.config import Settings
from arbig.embedded import embedded_app

pytestmark = pytest.mark.integration


def test_the_account_agrees_with_the_simulated_brokers_after_a_fill(settings: Settings) -> None:
    with TestClient(embedded_app(settings)) as client:
        login(client)
        open_long(client, login(client), volume=1)
        money = client.get("/api/v1/risk/reconciliation/money").json()
        assert money["checked_at"] is not None
        assert money["truth"] == "book"
        assert money["differences"] == []
        assert money["book"]["balance"] == money["broker"]["balance"]
        assert money["book"]["margin"] != "0.00"
        assert money["broker"]["close_profit"] is None
        # The previous settled balance is compared for a live broker only (CTP): the
        # simulator splits a held position's floating P&L differently at settlement.
        assert money["book"]["pre_balance"] is not None
        assert money["broker"]["pre_balance"] is None
        assert money["hints"] == []
