"""A console re-reads the credential when its store's version moves, and keeps the one
it read while the store cannot answer (a database outage)."""

import asyncio
import logging
from pathlib import Path

import pytest

from arbig.auth.credentials import ApiToken, CredentialError, Credentials, new_token
from arbig.config import Settings
from arbig.web.security import Guard


class MemoryStore:
    """A ``CredentialStore`` in this process, which can be made to fail."""

    def __init__(self) -> None:
        self.creds: Credentials | None = None
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("database away")

    async def load(self) -> Credentials | None:
        self._check()
        if self.creds is None:
            return None
        c = self.creds
        return Credentials(c.password_hash, c.secret, list(c.tokens), c.version)

    async def version(self) -> int | None:
        self._check()
        return None if self.creds is None else self.creds.version

    async def create(self, credentials: Credentials) -> bool:
        if self.creds is not None:
            return False
        self.creds = Credentials(credentials.password_hash, credentials.secret, [], 1)
        return True

    async def set_password_hash(self, password_hash: str, *, only_if_unset: bool = False) -> bool:
        assert self.creds is not None
        if only_if_unset and self.creds.password_hash is not None:
            return False
        self.creds.password_hash, self.creds.version = password_hash, self.creds.version + 1
        return True

    async def add_token(self, token: ApiToken) -> None:
        assert self.creds is not None
        if any(t.name == token.name for t in self.creds.tokens):
            raise CredentialError("exists")
        self.creds.tokens.append(token)
        self.creds.version += 1

    async def revoke_token(self, name: str) -> bool:
        raise NotImplementedError


@pytest.fixture
def guard(tmp_path: Path) -> Guard:
    guard = Guard(Settings(data_dir=tmp_path))
    guard.use_store(MemoryStore())
    return guard


async def test_a_changed_version_is_read_again_and_an_unchanged_one_is_not(guard: Guard) -> None:
    store = guard.store
    assert isinstance(store, MemoryStore)
    generated = await guard.load()
    assert generated is not None and guard.credentials.verify_password(generated)
    token, kept = new_token("scripts")
    first = guard.credentials

    await guard.refresh()
    assert guard.credentials is first  # nothing changed: nothing read
    await store.add_token(kept)
    await guard.refresh()

    assert guard.credentials.token_name(token) == "scripts"


async def test_while_the_store_is_away_the_credential_read_last_answers(
    guard: Guard, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="arbig.web.security")
    store = guard.store
    assert isinstance(store, MemoryStore)
    generated = await guard.load()
    assert generated is not None
    signer = guard.signer
    store.down = True

    for _ in range(3):
        await guard.refresh()

    assert guard.credentials.verify_password(generated)
    assert guard.signer is signer  # sessions signed before still verify
    warnings = [r for r in caplog.records if "credential store unavailable" in r.getMessage()]
    assert len(warnings) == 1  # said once per outage, not every second
    store.down = False
    await guard.refresh()
    assert any("available again" in r.getMessage() for r in caplog.records)


class AnsweringStore(MemoryStore):
    """A store whose version answers when the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()

    async def version(self) -> int | None:
        self.asked.set()
        await self.answer.wait()
        return await super().version()


async def test_the_watch_ends_when_cancelled_as_its_poll_answers(tmp_path: Path) -> None:
    # The app's shutdown cancels the watch and waits for it: the cancel must not be lost
    # when the store's answer arrives in the same turn of the loop.
    store = AnsweringStore()
    guard = Guard(Settings(data_dir=tmp_path))
    guard.use_store(store)
    await guard.load()
    watching = asyncio.create_task(guard.watch(every_s=0.001))
    await store.asked.wait()

    store.answer.set()
    watching.cancel()

    try:
        done, _ = await asyncio.wait({watching}, timeout=5)
        assert watching in done, "the watch went on after it was cancelled"
        assert watching.cancelled()
    finally:
        while not watching.done():  # a watch that lost its cancel would hang the loop's end
            watching.cancel()
            await asyncio.wait({watching}, timeout=0.1)
