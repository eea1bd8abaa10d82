"""``credentials.json`` in the data folder: where earlier versions kept the credential.

Where there is a database the credential lives there; a file still in the data folder
is imported into it once, when the database holds no credential yet, and renamed
``credentials.json.imported`` either way (kept for the operator, never read again).
A host without a database keeps the credential in the file (``FileCredentialStore``).
"""

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import orjson

from arbig.auth.credentials import (
    ApiToken,
    CredentialError,
    Credentials,
    CredentialStore,
    hash_password,
)

FILE_NAME = "credentials.json"
IMPORTED_SUFFIX = ".imported"

log = logging.getLogger(__name__)


class CredentialFile:
    """Reads and atomically writes ``credentials.json`` (mode 0600)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def read(self) -> Credentials | None:
        """The credential in the file (its version: the file's mtime); None without one."""
        try:
            content = self.path.read_bytes()
            version = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        try:
            raw: dict[str, Any] = orjson.loads(content)
            return Credentials(
                password_hash=raw.get("password_hash"),
                secret=str(raw["secret"]),
                tokens=[ApiToken(**t) for t in raw.get("tokens", [])],
                version=version,
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise CredentialError(
                f"{self.path} cannot be read ({type(exc).__name__}: {exc}): mend or remove it"
            ) from None

    def load(self) -> Credentials:
        """The credential in the file, or a new one (not yet saved)."""
        return self.read() or Credentials()

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


class FileCredentialStore:
    """The ``CredentialStore`` port over the file, for a host without a database."""

    def __init__(self, data_dir: Path) -> None:
        self.file = CredentialFile(data_dir)

    async def load(self) -> Credentials | None:
        return self.file.read()

    async def version(self) -> int | None:
        try:
            return self.file.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    async def create(self, credentials: Credentials) -> bool:
        if self.file.path.exists():
            return False
        self.file.save(credentials)
        return True

    async def set_password_hash(self, password_hash: str, *, only_if_unset: bool = False) -> bool:
        creds = self.file.load()
        if only_if_unset and creds.password_hash is not None:
            return False
        creds.password_hash = password_hash
        self.file.save(creds)
        return True

    async def add_token(self, token: ApiToken) -> None:
        creds = self.file.load()
        creds.check_token_name_free(token.name)
        creds.tokens.append(token)
        self.file.save(creds)

    async def revoke_token(self, name: str) -> bool:
        creds = self.file.load()
        if not creds.revoke_token(name):
            return False
        self.file.save(creds)
        return True


async def import_credential_file(data_dir: Path, store: CredentialStore) -> bool | None:
    """Import ``credentials.json`` from ``data_dir`` into ``store`` if the store holds no
    credential yet, then rename the file ``.imported``. True: imported; False: the
    store already held one (the file is set aside unread); None: no file."""
    file = CredentialFile(data_dir)
    found = file.read()
    if found is None:
        return None
    imported = await store.create(found)
    target = file.path.with_name(file.path.name + IMPORTED_SUFFIX)
    os.replace(file.path, target)
    return imported


async def prepare_credential(
    store: CredentialStore,
    data_dir: Path,
    *,
    configured_hash: str | None = None,
    generate_password: bool = False,
) -> tuple[Credentials, str | None]:
    """The stored credential, made if there is none: imported from the data folder's
    file, else new (a new signing secret; the ``configured_hash`` when given). With
    ``generate_password`` a credential without a password gets a generated one, returned
    once (None otherwise: also when another process set one first)."""
    if not isinstance(store, FileCredentialStore):
        imported = await import_credential_file(data_dir, store)
        if imported is not None:
            _log_import(data_dir / FILE_NAME, imported)
    creds = await store.load()
    if creds is None:
        await store.create(Credentials(password_hash=configured_hash))
        creds = await _stored(store)
    generated = None
    if generate_password and creds.password_hash is None and configured_hash is None:
        candidate = secrets.token_urlsafe(12)
        if await store.set_password_hash(hash_password(candidate), only_if_unset=True):
            generated = candidate
        creds = await _stored(store)
    return creds, generated


async def _stored(store: CredentialStore) -> Credentials:
    creds = await store.load()
    if creds is None:  # pragma: no cover - just created; only a concurrent wipe gets here
        raise CredentialError("the stored credential vanished while it was being prepared")
    return creds


def _log_import(path: Path, imported: bool) -> None:
    if imported:
        log.info(
            "credential imported from %s into the database; the file is kept as %s%s "
            "and not read again",
            path,
            path.name,
            IMPORTED_SUFFIX,
        )
    else:
        log.warning(
            "credential file %s not imported: the database already holds the credential; "
            "the file is kept as %s%s and not read again",
            path,
            path.name,
            IMPORTED_SUFFIX,
        )
