"""Deposits and withdrawals on the simulated exchange over the API: done and shown in
the account, or refused with nothing moved; a bad amount is a 422 naming the field."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from webkit import open_long, wait_for

pytestmark = pytest.mark.integration


def move(client: TestClient, csrf: str, kind: str, amount: object) -> object:
    return client.post(
        f"/api/v1/account/{kind}",
        json={"amount": amount, "confirm": True},
        headers={"X-CSRF-Token": csrf},
    )


def test_a_deposit_and_a_withdrawal_show_in_the_account_and_agree_with_the_exchange(
    client: TestClient, csrf: str
) -> None:
    before = client.get("/api/v1/account").json()
    response = move(client, csrf, "deposit", "50000.00")
    assert response.status_code == 200, response.text
    assert response.json()["deposit"] == "50000.00"
    assert Decimal(response.json()["balance"]) - Decimal(before["balance"]) == Decimal("50000")
    response = move(client, csrf, "withdraw", "20000.00")
    assert response.status_code == 200, response.text
    account = client.get("/api/v1/account").json()
    assert (account["deposit"], account["withdraw"]) == ("50000.00", "20000.00")
    assert Decimal(account["available"]) - Decimal(before["available"]) == Decimal("30000")
    money = wait_for(lambda: client.get("/api/v1/risk/reconciliation/money").json())
    assert money["differences"] == []
    audit = client.get("/api/v1/audit", params={"action": "withdraw"}).json()
    assert [(e["action"], e["result"]) for e in audit] == [("withdraw", "ok")]
    assert audit[0]["detail"]["amount"] == "20000.00"


def test_a_withdrawal_above_what_is_available_is_refused_and_nothing_moves(
    client: TestClient, csrf: str
) -> None:
    open_long(client, csrf, volume=1)
    before = client.get("/api/v1/account").json()
    too_much = str(Decimal(before["available"]) + Decimal("100000"))
    response = move(client, csrf, "withdraw", too_much)
    assert response.status_code == 409, response.text
    assert "cannot withdraw" in response.json()["detail"]
    after = client.get("/api/v1/account").json()
    assert (after["deposit"], after["withdraw"]) == ("0.00", "0.00")
    audit = client.get("/api/v1/audit", params={"action": "withdraw"}).json()
    assert [e["result"] for e in audit] == ["refused"]


@pytest.mark.parametrize("amount", ["-5", "0", "12.345", "lots"])
def test_a_bad_amount_is_refused_naming_the_field(
    client: TestClient, csrf: str, amount: str
) -> None:
    response = move(client, csrf, "deposit", amount)
    assert response.status_code == 422, response.text
    assert "amount" in response.text
    assert client.get("/api/v1/account").json()["deposit"] == "0.00"


def test_a_deposit_needs_the_confirmation(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/api/v1/account/deposit", json={"amount": "100.00"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422, response.text
    assert "confirm" in response.text
