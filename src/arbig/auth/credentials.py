"""Where the credential lives: a JSON file in the data folder, readable by its owner only.

A password is kept only as an Argon2 hash; API tokens only as SHA-256 digests.
"""

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
FILE_NAME = "credentials.json"
_hasher = PasswordHasher()


class CredentialError(ValueError):
    """A password or token that cannot be accepted; the message says why."""


def check_new_password(password: str) -> None:
    if not password.strip():
        raise CredentialError("the password is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialError(f"the password is shorter than {MIN_PASSWORD_LENGTH} characters")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class ApiToken:
    name: str
    digest: str
    created: str


@dataclass(slots=True)
class Credentials:
    """The stored credential. ``secret`` signs session cookies."""

    password_hash: str | None = None
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    tokens: list[ApiToken] = field(default_factory=list)

    @property
    def configured(self) -> bool:
        return self.password_hash is not None

    def set_password(self, password: str) -> None:
        check_new_password(password)
        self.password_hash = _hasher.hash(password)

    def verify_password(self, password: str) -> bool:
        if self.password_hash is None:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def add_token(self, name: str) -> str:
        """A new API token; only its digest is kept, so it is shown once."""
        if not name or len(name) > 64:
            raise CredentialError("a token name is 1 to 64 characters")
        if any(t.name == name for t in self.tokens):
            raise CredentialError(f"a token named {name!r} exists; revoke it first")
        token = "arbig_" + secrets.token_urlsafe(32)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        self.tokens.append(ApiToken(name, token_digest(token), created))
        return token

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


class CredentialStore:
    """Loads and atomically saves ``credentials.json`` (mode 0600)."""

    def __init__(self, data_dir: Path, password_hash: str | None = None) -> None:
        self.path = data_dir / FILE_NAME
        self._configured_hash = password_hash

    def load(self) -> Credentials:
        creds = Credentials()
        if self.path.is_file():
            raw: dict[str, Any] = orjson.loads(self.path.read_bytes())
            creds = Credentials(
                password_hash=raw.get("password_hash"),
                secret=str(raw["secret"]),
                tokens=[ApiToken(**t) for t in raw.get("tokens", [])],
            )
        if self._configured_hash:
            creds.password_hash = self._configured_hash
        return creds

    def save(self, creds: Credentials) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "password_hash": creds.password_hash,
            "secret": creds.secret,
            "tokens": [
                {"name": t.name, "digest": t.digest, "created": t.created} for t in creds.tokens
            ],
        }
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def ensure_password(self) -> tuple[Credentials, str | None]:
        """The credentials, generating a password at first start; returns it once."""
        creds = self.load()
        if creds.configured:
            if not self.path.is_file():
                self.save(creds)
            return creds, None
        generated = secrets.token_urlsafe(12)
        creds.set_password(generated)
        self.save(creds)
        return creds, generated
