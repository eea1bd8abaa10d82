"""The operator's credential in SQL on every backend: made once, every change moves
the version other processes poll, tokens kept by digest, the old file imported once."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.auth.credential_file import CredentialFile, import_credential_file, prepare_credential
from arbig.auth.credentials import CredentialError, Credentials, hash_password, new_token
from arbig.storage.credential_store import SqlCredentialStore

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]
GOOD = "correct horse battery"


async def test_nothing_stored_reads_as_none(sessions: Sessions) -> None:
    store = SqlCredentialStore(sessions)
    assert await store.load() is None
    assert await store.version() is None


async def test_the_credential_is_made_once_and_the_first_one_stays(sessions: Sessions) -> None:
    store = SqlCredentialStore(sessions)
    first, second = Credentials(), Credentials()

    made = await asyncio.gather(store.create(first), SqlCredentialStore(sessions).create(second))

    assert sorted(made) == [False, True]
    kept = await store.load()
    assert kept is not None
    winner = first if made[0] else second
    assert (kept.secret, kept.password_hash, kept.tokens) == (winner.secret, None, [])
    assert kept.version == await store.version() == 1


async def test_every_change_moves_the_version_and_a_refused_one_does_not(
    sessions: Sessions,
) -> None:
    store = SqlCredentialStore(sessions)
    await store.create(Credentials())
    versions = [await store.version()]

    assert await store.set_password_hash(hash_password(GOOD))
    versions.append(await store.version())
    token, kept = new_token("scripts")
    await store.add_token(kept)
    versions.append(await store.version())
    with pytest.raises(CredentialError, match="a token named 'scripts' exists; revoke it first"):
        await store.add_token(new_token("scripts")[1])
    assert not await store.revoke_token("ghost")
    versions.append(await store.version())
    assert await store.revoke_token("scripts")
    versions.append(await store.version())

    assert versions == [1, 2, 3, 3, 4]
    loaded = await store.load()
    assert loaded is not None
    assert loaded.verify_password(GOOD)
    assert loaded.token_name(token) is None


async def test_another_process_on_the_database_sees_each_change(sessions: Sessions) -> None:
    here, there = SqlCredentialStore(sessions), SqlCredentialStore(sessions)
    await here.create(Credentials())
    token, kept = new_token("scripts")

    await here.add_token(kept)
    await here.set_password_hash(hash_password(GOOD))

    seen = await there.load()
    assert seen is not None
    assert seen.verify_password(GOOD)
    assert seen.token_name(token) == "scripts"
    assert [t.digest for t in seen.tokens] == [kept.digest]  # the digest, never the token
    assert token not in repr(seen)


async def test_a_generated_password_never_replaces_one_set_meanwhile(sessions: Sessions) -> None:
    store = SqlCredentialStore(sessions)
    await store.create(Credentials())
    assert await store.set_password_hash(hash_password(GOOD), only_if_unset=True)

    assert not await store.set_password_hash(hash_password("generated one"), only_if_unset=True)

    loaded = await store.load()
    assert loaded is not None and loaded.verify_password(GOOD)


async def test_the_first_start_generates_a_password_once(
    sessions: Sessions, tmp_path: Path
) -> None:
    store = SqlCredentialStore(sessions)

    creds, generated = await prepare_credential(store, tmp_path, generate_password=True)
    again, none = await prepare_credential(store, tmp_path, generate_password=True)

    assert generated is not None and none is None
    assert creds.verify_password(generated)
    assert again.verify_password(generated) and again.secret == creds.secret


async def test_the_old_file_is_imported_once_then_set_aside(
    sessions: Sessions, tmp_path: Path
) -> None:
    store = SqlCredentialStore(sessions)
    old = CredentialFile(tmp_path)
    creds = old.load()
    creds.set_password(GOOD)
    token = creds.add_token("scripts")
    old.save(creds)

    assert await import_credential_file(tmp_path, store) is True

    loaded = await store.load()
    assert loaded is not None
    assert loaded.secret == creds.secret and loaded.verify_password(GOOD)
    assert loaded.token_name(token) == "scripts"
    assert loaded.tokens[0].created == creds.tokens[0].created
    assert not old.path.exists() and (tmp_path / "credentials.json.imported").exists()

    old.save(Credentials())  # another replica's copy, say
    assert await import_credential_file(tmp_path, store) is False
    assert (await store.load()) == loaded
    assert not old.path.exists()
    assert await import_credential_file(tmp_path, store) is None
