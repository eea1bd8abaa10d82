"""Where money moves the input is strict: a field not in the schema, a volume that is not
a JSON integer or a price with spaces is refused with 422 naming the field; nothing is
sent. A body that is not JSON at all gets 400."""

import pytest
from fastapi.testclient import TestClient
from webkit import SYMBOL

pytestmark = pytest.mark.integration

GOOD = {"symbol": SYMBOL, "side": "buy", "offset": "open", "price": "900.00", "volume": 1}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_type": "market"}, "order_type"),
        ({"volume": "1"}, "volume"),
        ({"volume": 1.0}, "volume"),
        ({"price": " 920.02 "}, "price"),
    ],
)
def test_a_lenient_order_body_is_refused_naming_the_field(
    client: TestClient, csrf: str, change: dict[str, object], field: str
) -> None:
    before = client.get("/api/v1/orders").json()
    response = client.post("/api/v1/orders", json=GOOD | change, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert client.get("/api/v1/orders").json() == before


def test_a_close_with_an_unknown_field_is_refused(client: TestClient, csrf: str) -> None:
    body = {"symbol": SYMBOL, "direction": "long", "volume": 1, "offset": "close_today"}
    response = client.post("/api/v1/positions/close", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    assert "offset" in response.json()["detail"]


def test_a_body_that_is_not_json_gets_400(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/api/v1/orders",
        content=b"symbol=au2612&side=buy",
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
