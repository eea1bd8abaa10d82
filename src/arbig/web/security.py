"""Who is calling: a browser session (cookie + CSRF header) or a script (bearer token)."""

import time
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from arbig.auth.credentials import Credentials, CredentialStore
from arbig.auth.ratelimit import LoginLimiter
from arbig.auth.sessions import CSRF_HEADER, SESSION_COOKIE, Session, SessionSigner
from arbig.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    via: Literal["session", "token"]
    session: Session | None = None


class Guard:
    """Holds the loaded credential and answers who a request comes from."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = CredentialStore(settings.data_dir, settings.auth.password_hash)
        auth = settings.auth
        self.limiter = LoginLimiter(
            auth.max_login_failures, auth.login_window_s, auth.login_max_delay_s
        )
        self.credentials = Credentials()
        self.signer = SessionSigner("", "", 1)
        self._mtime = 0
        self._checked = 0.0

    def load(self) -> str | None:
        """Load the credential, generating a password at first start (returned once)."""
        self.credentials, generated = self.store.ensure_password()
        self.reload()
        return generated

    def reload(self) -> None:
        self._mtime = self._file_mtime()
        self._checked = time.monotonic()
        self.credentials = self.store.load()
        self.signer = SessionSigner(
            self.credentials.secret,
            self.credentials.password_hash or "",
            int(self.settings.auth.session_hours * 3600),
        )

    def _file_mtime(self) -> int:
        try:
            return self.store.path.stat().st_mtime_ns
        except OSError:
            return 0

    def refresh(self) -> None:
        """Pick up `arbig auth` changes made while running (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked < 1.0:
            return
        self._checked = now
        if self._file_mtime() != self._mtime:
            self.reload()

    def identify(self, connection: HTTPConnection) -> Principal | None:
        self.refresh()
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token:
            name = self.credentials.token_name(token.strip())
            return Principal(f"token:{name}", "token") if name else None
        cookie = connection.cookies.get(SESSION_COOKIE)
        if cookie:
            session = self.signer.verify(cookie)
            if session is not None:
                return Principal("operator", "session", session)
        return None


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


async def require_operator(request: Request) -> Principal:
    guard: Guard = request.app.state.guard
    principal = guard.identify(request)
    if principal is None:
        raise HTTPException(
            401,
            "login required: sign in at /login or send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if principal.session is not None and request.method not in SAFE_METHODS:
        expected = guard.signer.csrf_token(principal.session)
        if request.headers.get(CSRF_HEADER) != expected:
            raise HTTPException(403, f"missing or wrong CSRF token: send the {CSRF_HEADER} header")
    return principal


Operator = Annotated[Principal, Depends(require_operator)]
