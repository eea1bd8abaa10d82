"""Browser sessions: a signed cookie that carries a session recorded server-side,
and the CSRF token bound to each.

The cookie is signed with HMAC-SHA256 from the standard library (the key includes
the password hash, so changing the password invalidates every cookie); a cookie
that verifies is still a session only while its record in the ``SessionStore`` is
live, so logout or ``arbig auth end-sessions`` ends it in every web process that
shares the store (the database) at once.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

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


def session_id(session: Session) -> str:
    """The key a session is recorded under: a digest of its nonce, so the store never
    holds what the cookie carries."""
    return hashlib.sha256(session.nonce.encode()).hexdigest()


class SessionStore(Protocol):
    """Where sessions are recorded; ``arbig.storage`` implements it over SQL."""

    async def open(self, session_id: str, expires: int, now: int) -> None:
        """Record a new session, live until ``expires`` (epoch seconds)."""

    async def is_live(self, session_id: str, now: int) -> bool:
        """Whether the session is recorded, not ended and not expired."""

    async def end(self, session_id: str) -> None:
        """End one session (logout)."""

    async def end_all(self) -> int:
        """End every session; the number ended."""


class MemorySessionStore:
    """A ``SessionStore`` in this process only: for a host without a database."""

    def __init__(self) -> None:
        self._live: dict[str, int] = {}

    async def open(self, session_id: str, expires: int, now: int) -> None:
        self._live = {key: end for key, end in self._live.items() if end >= now}
        self._live[session_id] = expires

    async def is_live(self, session_id: str, now: int) -> bool:
        return self._live.get(session_id, 0) >= now

    async def end(self, session_id: str) -> None:
        self._live.pop(session_id, None)

    async def end_all(self) -> int:
        count = len(self._live)
        self._live.clear()
        return count
