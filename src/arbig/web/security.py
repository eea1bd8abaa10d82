"""Who is calling: a browser session (cookie + CSRF header) or a script (bearer token)."""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from starlette.requests import HTTPConnection

from arbig.auth.credential_file import FileCredentialStore, prepare_credential
from arbig.auth.credentials import Credentials, CredentialStore
from arbig.auth.ratelimit import Limiter, LoginLimiter
from arbig.auth.sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    MemorySessionStore,
    Session,
    SessionSigner,
    SessionStore,
    session_id,
)
from arbig.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a session lookup may take before the process's own knowledge answers. Bound
# with asyncio.timeout, not wait_for: Python 3.11's wait_for loses a cancellation that
# arrives in the turn its call answers, and the watch would outlive the app's shutdown.
STORE_TIMEOUT_S = 1.0
# How often each web process asks the credential store whether the credential changed.
CREDENTIAL_POLL_S = 1.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    via: Literal["session", "token"]
    session: Session | None = None


class Guard:
    """Holds the loaded credential and answers who a request comes from."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The file until the host hands over its database's store (``use_store``).
        self.store: CredentialStore = FileCredentialStore(settings.data_dir)
        auth = settings.auth
        self.rule = LoginLimiter(
            auth.max_login_failures, auth.login_window_s, auth.login_max_delay_s
        )
        # The process's own, or one shared by every web process (the host's, if it
        # keeps one: the split deployment's web role, through Redis).
        self.limiter: Limiter = self.rule
        self.credentials = Credentials()
        self.signer = SessionSigner("", "", 1)
        self.sessions: SessionStore = MemorySessionStore()
        # Sessions this process has seen live and not seen end: they answer while the
        # store cannot, so that an operator stays signed in (to stop trading, say)
        # through a database outage.
        self._known: dict[str, int] = {}
        self._store_failing = False

    def use_store(self, store: CredentialStore) -> None:
        """Keep the credential in ``store`` (the host's database) from ``load`` on."""
        self.store = store

    async def load(self) -> str | None:
        """Load the credential: imported from the data folder's file once, made at the
        first start with a generated password (returned, to be shown once)."""
        _, generated = await prepare_credential(
            self.store,
            self.settings.data_dir,
            configured_hash=self.settings.auth.password_hash,
            generate_password=True,
        )
        await self.reload()
        return generated

    async def reload(self) -> None:
        creds = await self.store.load()
        if creds is None:
            return  # not made yet (load makes it): keep what this process has
        if self.settings.auth.password_hash:
            creds.password_hash = self.settings.auth.password_hash
        self.credentials = creds
        self.signer = SessionSigner(
            creds.secret, creds.password_hash or "", int(self.settings.auth.session_hours * 3600)
        )

    async def refresh(self) -> None:
        """Re-read the credential if another process changed it (``arbig auth``, another
        replica); while the store cannot answer, keep the one this process has."""
        try:
            async with asyncio.timeout(STORE_TIMEOUT_S):
                version = await self.store.version()
            if version != self.credentials.version:
                async with asyncio.timeout(STORE_TIMEOUT_S):
                    await self.reload()
        except Exception as exc:  # the store is down or hung
            if not self._store_failing:
                log.warning("credential store unavailable, keeping the credential read: %r", exc)
            self._store_failing = True
            return
        if self._store_failing:
            log.info("credential store available again")
        self._store_failing = False

    async def watch(self, every_s: float = CREDENTIAL_POLL_S) -> None:
        """Refresh every ``every_s`` until cancelled (a task of the running app)."""
        while True:
            await asyncio.sleep(every_s)
            await self.refresh()

    async def open_session(self) -> tuple[str, Session]:
        """A new signed cookie value and its session, recorded in the store."""
        now = int(time.time())
        token = self.signer.issue(now)
        session = self.signer.verify(token, now)
        assert session is not None  # just issued by the same signer
        key = session_id(session)
        async with asyncio.timeout(STORE_TIMEOUT_S):
            await self.sessions.open(key, session.expires, now)
        self._known[key] = session.expires
        return token, session

    async def end_session(self, session: Session) -> None:
        key = session_id(session)
        self._known.pop(key, None)
        async with asyncio.timeout(STORE_TIMEOUT_S):
            await self.sessions.end(key)

    async def _is_live(self, session: Session) -> bool:
        key = session_id(session)
        now = int(time.time())
        try:
            async with asyncio.timeout(STORE_TIMEOUT_S):
                live = await self.sessions.is_live(key, now)
        except Exception as exc:  # the store is down or hung: what this process knows
            log.warning("session store unavailable, using this process's sessions: %s", exc)
            return self._known.get(key, 0) >= now
        if live:
            self._known[key] = session.expires
        else:
            self._known.pop(key, None)
        return live

    async def identify(self, connection: HTTPConnection) -> Principal | None:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token:
            name = self.credentials.token_name(token.strip())
            return Principal(f"token:{name}", "token") if name else None
        cookie = connection.cookies.get(SESSION_COOKIE)
        if cookie:
            session = self.signer.verify(cookie)
            if session is not None and await self._is_live(session):
                return Principal("operator", "session", session)
        return None


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


async def require_operator(request: Request) -> Principal:
    guard: Guard = request.app.state.guard
    principal = await guard.identify(request)
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
