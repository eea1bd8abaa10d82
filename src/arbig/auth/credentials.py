"""The operator's credential: the password hash, the secret that signs session cookies
and CSRF tokens, and the API tokens; and the ``CredentialStore`` port it is kept behind.

A password is kept only as an Argon2 hash; an API token only as its SHA-256 digest.
Where there is a database (always: SQLite in the data folder by default) the
credential lives in it (``arbig.storage.credential_store``), shared by every web
process on it; the file of earlier versions (``credential_file``) is imported once.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_TOKEN_NAME = 64
_hasher = PasswordHasher()


class CredentialError(ValueError):
    """A password or token that cannot be accepted; the message says why."""


def check_new_password(password: str) -> None:
    if not password.strip():
        raise CredentialError("the password is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialError(f"the password is shorter than {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """The Argon2 hash of an acceptable new password (CredentialError otherwise)."""
    check_new_password(password)
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_hex(32)


@dataclass(slots=True)
class ApiToken:
    name: str
    digest: str
    created: str  # ISO 8601, seconds


def new_token(name: str) -> tuple[str, ApiToken]:
    """A new API token and what is kept of it (the digest): the token is shown once."""
    if not name or len(name) > MAX_TOKEN_NAME:
        raise CredentialError(f"a token name is 1 to {MAX_TOKEN_NAME} characters")
    token = "arbig_" + secrets.token_urlsafe(32)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return token, ApiToken(name, token_digest(token), created)


@dataclass(slots=True)
class Credentials:
    """The stored credential. ``secret`` signs session cookies; ``version`` is the
    store's count of changes when it was read."""

    password_hash: str | None = None
    secret: str = field(default_factory=new_secret)
    tokens: list[ApiToken] = field(default_factory=list)
    version: int = 0

    @property
    def configured(self) -> bool:
        return self.password_hash is not None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def verify_password(self, password: str) -> bool:
        if self.password_hash is None:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def add_token(self, name: str) -> str:
        """A new API token; only its digest is kept, so it is shown once."""
        token, kept = new_token(name)
        self.check_token_name_free(name)
        self.tokens.append(kept)
        return token

    def check_token_name_free(self, name: str) -> None:
        if any(t.name == name for t in self.tokens):
            raise CredentialError(f"a token named {name!r} exists; revoke it first")

    def revoke_token(self, name: str) -> bool:
        before = len(self.tokens)
        self.tokens = [t for t in self.tokens if t.name != name]
        return len(self.tokens) < before

    def token_name(self, token: str) -> str | None:
        digest = token_digest(token)
        for stored in self.tokens:
            if secrets.compare_digest(stored.digest, digest):
                return stored.name
        return None


class CredentialStore(Protocol):
    """Where the credential is kept: SQL (``arbig.storage.credential_store``) or, for a
    host without a database, the file (``credential_file.FileCredentialStore``).

    Every change moves ``version``, which each web process polls to re-read.
    """

    async def load(self) -> Credentials | None:
        """The credential with its version; None while none is stored."""

    async def version(self) -> int | None:
        """The count of changes (cheap: polled every second); None while none is stored."""

    async def create(self, credentials: Credentials) -> bool:
        """Store ``credentials`` if none is stored; False, and nothing changed, if one is."""

    async def set_password_hash(self, password_hash: str, *, only_if_unset: bool = False) -> bool:
        """Replace the password hash (with ``only_if_unset``, only while none is set);
        whether it was replaced."""

    async def add_token(self, token: ApiToken) -> None:
        """Keep a new token; CredentialError when one of that name exists."""

    async def revoke_token(self, name: str) -> bool:
        """Forget the token named ``name``; whether there was one."""
