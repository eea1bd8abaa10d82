"""Every bad query gets a 4xx JSON answer naming the field: a time without a UTC offset
is refused everywhere (docs/api.md), as are an offset past its bound and a date that
does not exist."""

import pytest
from fastapi.testclient import TestClient
from webkit import SYMBOL

pytestmark = pytest.mark.integration

NAIVE = "2026-01-01T00:00:00"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/trades?since={NAIVE}", "since"),
        (f"/api/v1/trades.csv?until={NAIVE}", "until"),
        (f"/api/v1/statistics?since={NAIVE}", "since"),
        (f"/api/v1/logs?since={NAIVE}", "since"),
        (f"/api/v1/audit?since={NAIVE}", "since"),
        (f"/api/v1/account/equity?since={NAIVE}", "since"),
        (f"/api/v1/market/{SYMBOL}/bars?start={NAIVE}", "start"),
        (f"/api/v1/market/{SYMBOL}/bars?end={NAIVE}", "end"),
        (f"/api/v1/audit?offset={2**70}", "offset"),
        ("/api/v1/trades?trading_day=2026-02-30", "trading_day"),
    ],
)
def test_a_bad_query_is_a_422_naming_the_field(
    client: TestClient, csrf: str, url: str, field: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.text
    assert f"query.{field}" in response.json()["detail"]


def test_a_time_with_an_offset_is_taken(client: TestClient, csrf: str) -> None:
    assert client.get("/api/v1/trades", params={"since": NAIVE + "+08:00"}).status_code == 200
