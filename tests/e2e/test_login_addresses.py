"""The login delay sees the connection's address: X-Forwarded-For is believed only from
configured proxies (none by default), so a new header value per attempt buys nothing."""

from pathlib import Path

import httpx
import pytest
from arbig_server import ArbigServer

pytestmark = pytest.mark.e2e


def test_a_forged_forwarded_for_does_not_escape_the_login_delay(tmp_path: Path) -> None:
    server = ArbigServer(tmp_path / "data")
    server.start()
    try:
        answers = []
        with httpx.Client(base_url=server.base, timeout=10) as http:
            for n in range(8):
                response = http.post(
                    "/api/v1/auth/login",
                    json={"password": "not the password"},
                    headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
                )
                answers.append(response.status_code)
            assert answers[:5] == [401] * 5
            assert 429 in answers[5:]
            entries = http.get("/api/v1/audit", headers=server.headers).json()
        addresses = {e["source_address"] for e in entries if e["action"] == "login"}
        assert addresses == {"127.0.0.1"}  # the audit records the real address
    finally:
        server.stop()
