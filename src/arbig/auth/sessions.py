"""Browser sessions as signed cookies, and the CSRF token bound to each.

Signed with HMAC-SHA256 from the standard library rather than a session
library: the whole scheme is a dozen lines, needs no server-side store (so
web replicas share sessions through the configured secret alone), and the
key includes the password hash so that changing the password ends every
session.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

SESSION_COOKIE = "arbig_session"
CSRF_COOKIE = "arbig_csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Session:
    nonce: str
    expires: int


class SessionSigner:
    def __init__(self, secret: str, password_hash: str, lifetime_s: int) -> None:
        self._key = hashlib.sha256(f"{secret}\x00{password_hash}".encode()).digest()
        self.lifetime_s = lifetime_s

    def _mac(self, message: str) -> str:
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def issue(self, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.lifetime_s)
        body = f"v1.{expires}.{secrets.token_hex(16)}"
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str, now: float | None = None) -> Session | None:
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != "v1":
            return None
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._mac(body), parts[3]):
            return None
        try:
            expires = int(parts[1])
        except ValueError:
            return None
        if expires < (now or time.time()):
            return None
        return Session(parts[2], expires)

    def csrf_token(self, session: Session) -> str:
        return self._mac(f"csrf.{session.nonce}")
