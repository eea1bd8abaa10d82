"""The book over REST: closing a position in two steps, trades, daily summary, statistics."""

import sqlite3
from decimal import Decimal

from fastapi.testclient import TestClient
from webkit import SYMBOL, open_long, wait_for

from arbig.config import Settings


def test_closing_a_position_previews_then_sends_only_on_confirm(
    client: TestClient, csrf: str
) -> None:
    headers = {"X-CSRF-Token": csrf}
    open_long(client, csrf, volume=2)
    preview = client.post(
        "/api/v1/positions/close", json={"symbol": SYMBOL, "direction": "long"}, headers=headers
    ).json()
    assert preview["volume"] == 2
    assert preview["side"] == "sell"
    assert [(p["offset"], p["volume"]) for p in preview["plan"]] == [("close_today", 2)]
    assert Decimal(preview["plan"][0]["price"]) < Decimal(preview["current_price"])
    # Nothing was sent by the preview.
    assert sum(p["volume"] for p in client.get("/api/v1/positions").json()) == 2

    result = client.post(
        "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=headers
    ).json()
    assert result["result"] in ("filled", "partly_filled", "working")
    wait_for(lambda: client.get("/api/v1/positions").json() == [])

    again = client.post(
        "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=headers
    )
    assert again.status_code == 409
    assert "preview the close again" in again.json()["detail"]
    audit = client.get("/api/v1/audit", params={"action": "close_position"}).json()
    assert [e["result"] for e in audit][-1] in ("filled", "partly_filled", "working")


def test_closing_what_is_not_held_is_refused_with_the_reason(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/api/v1/positions/close",
        json={"symbol": SYMBOL, "direction": "short"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 422
    assert "no short position" in response.json()["detail"]


def test_round_trip_shows_in_trades_daily_summary_and_statistics(
    client: TestClient, csrf: str
) -> None:
    headers = {"X-CSRF-Token": csrf}
    open_long(client, csrf, volume=1)
    preview = client.post(
        "/api/v1/positions/close", json={"symbol": SYMBOL, "direction": "long"}, headers=headers
    ).json()
    client.post(
        "/api/v1/positions/close/confirm", json={"token": preview["token"]}, headers=headers
    )
    page = wait_for(lambda: (p := client.get("/api/v1/trades").json())["total"] >= 2 and p)
    sides = sorted(item["trade"]["side"] for item in page["items"])
    assert sides[0] == "buy" and sides[-1] == "sell"
    assert client.get("/api/v1/trades", params={"side": "sell"}).json()["total"] >= 1
    assert client.get("/api/v1/trades", params={"limit": 1}).json()["items"].__len__() == 1

    csv = client.get("/api/v1/trades.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("trade_id,order_id,symbol,side")
    assert len(csv.text.splitlines()) == page["total"] + 1

    daily = client.get("/api/v1/trades/daily").json()
    assert daily[0]["symbol"] == SYMBOL
    assert daily[0]["buy_volume"] >= 1 and daily[0]["sell_volume"] >= 1

    stats = client.get("/api/v1/statistics").json()
    assert stats["closing_trades"] >= 1
    assert Decimal(stats["commission"]) >= Decimal("20.00")
    assert Decimal(stats["net_pnl"]) == Decimal(stats["realized_pnl"]) - Decimal(
        stats["commission"]
    )


def test_trigger_statistics_come_from_the_summary_view(
    client: TestClient, csrf: str, settings: Settings
) -> None:
    rows = [
        ("ma_crossover", "buy", "success"),
        ("ma_crossover", "sell", "failed"),
        ("ma_crossover", "buy", "pending"),
        ("donchian", "close", "success"),
    ]
    with sqlite3.connect(settings.data_dir / "arbig.sqlite3") as db:
        db.executemany(
            "INSERT INTO strategy_triggers (strategy_name, symbol, trading_day, trigger_time, "
            "trigger_condition, action_type, execution_result, create_time) "
            "VALUES (?, 'au2612', '2026-11-23', '2026-11-23 01:00:00', 'test', ?, ?, "
            "'2026-11-23 01:00:00')",
            rows,
        )
    summary = client.get("/api/v1/strategies/triggers/summary").json()
    ma = next(r for r in summary if r["strategy_name"] == "ma_crossover")
    assert ma["trading_day"] == "2026-11-23"
    assert ma["trigger_count"] == 3
    assert ma["by_action"] == {"buy": 2, "sell": 1, "close": 0, "hold": 0}
    assert ma["by_result"] == {"success": 1, "failed": 1, "pending": 1}
    only = client.get("/api/v1/strategies/triggers/summary", params={"strategy": "donchian"})
    assert [r["trigger_count"] for r in only.json()] == [1]
    bad = client.get("/api/v1/strategies/triggers/summary", params={"strategy": "x'; --"})
    assert bad.status_code == 422


def test_bad_filters_get_422_with_a_message(client: TestClient, csrf: str) -> None:
    cases = {
        "/api/v1/trades?limit=0": "limit",
        "/api/v1/trades?symbol=AU'--": "symbol",
        "/api/v1/trades?since_day=2026-02-30": "since_day",
        "/api/v1/trades?since_day=2026-03-02&until_day=2026-03-01": "since_day",
        "/api/v1/account/equity?points=1": "points",
        "/api/v1/logs?level=loud": "level",
    }
    for url, fragment in cases.items():
        response = client.get(url)
        assert response.status_code == 422, url
        assert fragment in response.json()["detail"], (url, response.json())


def test_the_equity_curve_is_sampled_and_logs_are_recorded(client: TestClient, csrf: str) -> None:
    curve = wait_for(lambda: len(c := client.get("/api/v1/account/equity").json()) >= 3 and c)
    assert Decimal(curve[-1]["balance"]) > 0
    assert len(client.get("/api/v1/account/equity", params={"points": 2}).json()) <= 2
    logs = wait_for(lambda: client.get("/api/v1/logs", params={"level": "info"}).json())
    assert all(entry["level"] in ("info", "warning", "error", "critical") for entry in logs)


def test_daily_settlements_are_served_oldest_first_with_their_prices(
    client: TestClient, csrf: str, settings: Settings
) -> None:
    account = client.get("/api/v1/account").json()["account_id"]
    with sqlite3.connect(settings.data_dir / "arbig.sqlite3") as db:
        db.executemany(
            "INSERT INTO daily_settlements (account_id, trading_day, pre_balance, deposit, "
            "withdraw, close_profit, position_profit, commission, balance, create_time) "
            "VALUES (?, ?, ?, '0', '0', ?, ?, ?, ?, '2026-11-23 07:00:00')",
            [
                (account, "2026-11-24", "1001990", "2000", "1000", "10", "1004980"),
                (account, "2026-11-23", "1000000", "0", "2000", "10", "1001990"),
            ],
        )
        db.execute(
            "INSERT INTO settlement_prices (account_id, trading_day, symbol, price) "
            "VALUES (?, '2026-11-24', 'au2612', '922.00')",
            (account,),
        )
    days = client.get("/api/v1/account/settlements").json()
    assert [d["trading_day"] for d in days] == ["2026-11-23", "2026-11-24"]
    assert days[1]["pre_balance"] == days[0]["balance"]
    assert Decimal(days[1]["close_profit"]) == 2000
    assert days[1]["prices"] == [["au2612", "922.0000"]]
    later = client.get("/api/v1/account/settlements", params={"since": "2026-11-24"}).json()
    assert [d["trading_day"] for d in later] == ["2026-11-24"]
    bad = client.get(
        "/api/v1/account/settlements", params={"since": "2026-11-25", "until": "2026-11-24"}
    )
    assert bad.status_code == 422
