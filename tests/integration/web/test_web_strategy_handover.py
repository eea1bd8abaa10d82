"""Handing a strategy lots of the account through the REST API: refused unless free,
recorded, audited, and the strategy's after a restart, while lots not handed stay the
operator's."""

import pytest
from fastapi.testclient import TestClient
from webkit import SYMBOL, login, open_long

from arbig.config import Settings, StrategySettings
from arbig.embedded import embedded_app

pytestmark = pytest.mark.integration

ROUTE = "/api/v1/strategies/hand-over"


def hand(client: TestClient, csrf: str, volume: object, **more: object) -> object:
    body = {"symbol": SYMBOL, "direction": "long", "volume": volume, "confirm": True, **more}
    return client.post(ROUTE, json=body, headers={"X-CSRF-Token": csrf})


def long_held(client: TestClient) -> int:
    positions = client.get("/api/v1/positions").json()
    return sum(p["volume"] for p in positions if p["direction"] == "long")


def ownership(client: TestClient) -> tuple[list[object], int]:
    """The long leg's owned lots and free lots, as GET /positions has them."""
    positions = client.get("/api/v1/positions").json()
    [leg] = [p for p in positions if p["direction"] == "long"]
    return leg["owned"], leg["free_volume"]


def test_handed_lots_are_the_strategys_after_a_restart_and_the_rest_stay_manual(
    settings: Settings,
) -> None:
    # No strategy starts by itself: what is handed is the only strategy position.
    settings = settings.model_copy(update={"strategy": StrategySettings(autostart=False)})
    with TestClient(embedded_app(settings)) as client:
        csrf = login(client)
        open_long(client, csrf, volume=3)
        assert ownership(client) == ([], 3)

        nobody = hand(client, csrf, 1)
        assert nobody.status_code == 409
        assert "no strategy is running" in nobody.json()["detail"]
        unknown = hand(client, csrf, 1, name="nope")
        assert unknown.status_code == 409 and "no strategy named 'nope'" in unknown.json()["detail"]
        zero = hand(client, csrf, 0, name="ma_crossover")
        assert zero.status_code == 422 and "volume" in zero.text
        too_many = hand(client, csrf, 4, name="ma_crossover")
        assert too_many.status_code == 409
        assert "cannot hand 4 lots: the account holds 3, of which 3 are free" in too_many.text

        handed = hand(client, csrf, 2, name="ma_crossover")

        assert handed.status_code == 200, handed.text
        assert handed.json()["strategy_name"] == "ma_crossover"
        assert handed.json()["volume_today"] + handed.json()["volume_yesterday"] == 2
        entries = client.get("/api/v1/audit", params={"action": "strategy_hand_over"}).json()
        assert [e["result"] for e in entries].count("refused") == 3
        [done] = [e for e in entries if e["result"] == "ok"]
        assert done["target"] == "ma_crossover" and done["detail"]["volume"] == 2
        assert ownership(client) == ([{"strategy": "ma_crossover", "volume": 2}], 1)

    with TestClient(embedded_app(settings)) as client:
        csrf = login(client)
        assert long_held(client) == 3
        assert ownership(client) == ([{"strategy": "ma_crossover", "volume": 2}], 1)
        # Two lots are the strategy's since before the restart: one is left to hand.
        again = hand(client, csrf, 2, name="ma_crossover")
        assert again.status_code == 409 and "of which 1 are free" in again.json()["detail"]

        started = client.post(
            "/api/v1/strategies/ma_crossover/start",
            json={"confirm": True},
            headers={"X-CSRF-Token": csrf},
        )
        client.post(
            "/api/v1/strategies/stop", json={"confirm": True}, headers={"X-CSRF-Token": csrf}
        )

        assert started.status_code == 200, started.text
        assert started.json()["long"] == 2
