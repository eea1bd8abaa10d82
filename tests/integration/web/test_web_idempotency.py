"""``Idempotency-Key`` on the POSTs that move money: a retry acts once."""

from decimal import Decimal

from fastapi.testclient import TestClient
from webkit import SYMBOL, open_long, wait_for


def order_body(client: TestClient, volume: int = 1) -> dict[str, object]:
    # Below the market (within the price-distance rule): each POST that acts adds an order.
    last = wait_for(lambda: client.get(f"/api/v1/market/{SYMBOL}/tick").json().get("last_price"))
    price = Decimal(last) - Decimal("0.60")
    return {"symbol": SYMBOL, "side": "buy", "price": str(price), "volume": volume}


def order_ids(client: TestClient) -> list[str]:
    return [o["order_id"] for o in client.get("/api/v1/orders").json()]


def test_a_retried_order_with_the_same_key_is_sent_once(client: TestClient, csrf: str) -> None:
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "order-7f3a"}
    body = order_body(client)

    first = client.post("/api/v1/orders", json=body, headers=headers)
    again = client.post("/api/v1/orders", json=body, headers=headers)

    assert first.status_code == again.status_code == 202, first.text
    assert again.json() == first.json()
    assert order_ids(client).count(first.json()["order_id"]) == 1
    assert len(order_ids(client)) == 1


def test_without_a_key_or_with_another_key_each_post_acts(client: TestClient, csrf: str) -> None:
    body = order_body(client)
    client.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf})
    client.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf})
    for key in ("a-1", "a-2"):
        client.post(
            "/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf, "Idempotency-Key": key}
        )
    assert len(order_ids(client)) == 4


def test_the_same_key_with_another_body_is_refused_naming_the_header(
    client: TestClient, csrf: str
) -> None:
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "k-1"}
    assert (
        client.post("/api/v1/orders", json=order_body(client, 1), headers=headers).status_code
        == 202
    )

    refused = client.post("/api/v1/orders", json=order_body(client, 2), headers=headers)

    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.json()["detail"]
    assert len(order_ids(client)) == 1


def test_a_malformed_key_is_refused(client: TestClient, csrf: str) -> None:
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "x" * 129}
    refused = client.post("/api/v1/orders", json=order_body(client), headers=headers)
    assert refused.status_code == 422
    assert "idempotency-key" in refused.text.lower()
    assert order_ids(client) == []


def test_a_retried_close_confirm_with_the_same_key_answers_the_first_result(
    client: TestClient, csrf: str
) -> None:
    open_long(client, csrf, volume=2)
    headers = {"X-CSRF-Token": csrf}
    preview = client.post(
        "/api/v1/positions/close", json={"symbol": SYMBOL, "direction": "long"}, headers=headers
    ).json()
    keyed = {**headers, "Idempotency-Key": "close-1"}

    first = client.post(
        "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=keyed
    )
    again = client.post(
        "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=keyed
    )

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    wait_for(lambda: client.get("/api/v1/positions").json() == [])
    # Without the key, the spent token is refused as before.
    assert (
        client.post(
            "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=headers
        ).status_code
        == 409
    )
