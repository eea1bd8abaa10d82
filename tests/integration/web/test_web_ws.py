"""The /ws protocol against the running system: handshake, ops, snapshot, changes, errors."""

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from webkit import SYMBOL

ORIGIN = {"origin": "http://testserver"}


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = ws.receive_json()
    return message


def test_the_handshake_needs_a_login(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect) as refused:
        ws.receive_json()
    assert refused.value.code == 1008
    assert refused.value.reason == "login required"


def test_a_page_from_another_origin_is_refused(client: TestClient, csrf: str) -> None:
    with (
        client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws,
        pytest.raises(WebSocketDisconnect) as refused,
    ):
        ws.receive_json()
    assert refused.value.code == 1008
    assert refused.value.reason == "origin not allowed"


def test_subscribe_acks_then_sends_the_snapshot_then_changes_in_seq_order(
    client: TestClient, csrf: str
) -> None:
    topic = f"tick:{SYMBOL}"
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        ws.send_json({"op": "subscribe", "topics": [topic, "account"]})
        assert receive(ws) == {"type": "ack", "op": "subscribe", "topics": [topic, "account"]}
        messages = [receive(ws) for _ in range(8)]
    ticks = [m for m in messages if m["topic"] == topic]
    account = [m for m in messages if m["topic"] == "account"]
    assert account[0]["snapshot"] is True and account[0]["type"] == "account"
    assert "balance" in account[0]["data"]
    assert all(m["type"] == "tick" for m in ticks)
    live = [m for m in ticks if not m.get("snapshot")]
    assert len(live) >= 3
    seqs = [m["seq"] for m in live]
    assert seqs == sorted(set(seqs)), seqs
    assert live[0]["data"]["symbol"] == SYMBOL
    assert isinstance(live[0]["data"]["last_price"], str)  # money and prices travel as strings
    assert isinstance(live[0]["data"]["timestamp"], int)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"op": "dance"}', "unknown op"),
        ('{"op": "subscribe"}', "topics"),
        ('{"op": "subscribe", "topics": []}', "topics"),
        ('{"op": "subscribe", "topics": ["tick:AU2612; DROP"]}', "unknown topic"),
        ('{"op": "subscribe", "topics": [42]}', "topics"),
    ],
)
def test_a_bad_message_gets_an_error_and_the_connection_stays_open(
    client: TestClient, csrf: str, raw: str, fragment: str
) -> None:
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        ws.send_text(raw)
        error = receive(ws)
        assert error["type"] == "error"
        assert fragment in error["message"]
        ws.send_json({"op": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_unsubscribe_stops_the_topic(client: TestClient, csrf: str) -> None:
    topic = f"tick:{SYMBOL}"
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        ws.send_json({"op": "subscribe", "topics": [topic]})
        assert receive(ws)["type"] == "ack"
        ws.send_json({"op": "unsubscribe", "topics": [topic]})
        while (message := receive(ws))["type"] != "ack":
            assert message["topic"] == topic  # ticks already on their way
        assert message == {"type": "ack", "op": "unsubscribe", "topics": [topic]}
        ws.send_json({"op": "ping"})
        assert receive(ws) == {"type": "pong"}  # and nothing of the topic after the ack


def test_a_bearer_token_authenticates_a_script(client: TestClient, settings: Any) -> None:
    from typer.testing import CliRunner

    from arbig.cli.main import app as cli

    data = ["--data-dir", str(settings.data_dir)]
    token = CliRunner().invoke(cli, ["auth", "create-token", "ws-script", *data]).stdout.strip()
    time.sleep(1.5)  # the console re-reads the credential within a second of a change
    with client.websocket_connect("/ws", headers={"authorization": f"Bearer {token}"}) as ws:
        ws.send_json({"op": "ping"})
        assert receive(ws) == {"type": "pong"}


def test_list_topics_start_with_a_snapshot_list(client: TestClient, csrf: str) -> None:
    topics = ["trades", "triggers", f"bar:{SYMBOL}", "positions", "orders", "system"]
    with client.websocket_connect("/ws", headers=ORIGIN) as ws:
        ws.send_json({"op": "subscribe", "topics": topics})
        assert receive(ws)["type"] == "ack"
        snapshots: dict[str, Any] = {}
        while len(snapshots) < len(topics):
            message = receive(ws)
            if message.get("snapshot"):
                snapshots[message["topic"]] = message
    for topic in ("trades", "triggers", f"bar:{SYMBOL}", "positions", "orders"):
        assert isinstance(snapshots[topic]["data"], list), topic
    assert snapshots["system"]["data"]["main_contract"] == SYMBOL
    assert snapshots["trades"]["type"] == "trade"
