"""A setting that cannot be used stops start-up with one line naming it."""

import pytest

from arbig.config import ConfigError, load_settings


def test_a_password_hash_that_is_not_argon2_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARBIG_AUTH__PASSWORD_HASH", "hunter2")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    message = str(refused.value)
    assert "\n" not in message
    assert "ARBIG_AUTH__PASSWORD_HASH" in message and "not an Argon2 hash" in message
    assert "hunter2" not in message  # perhaps a password pasted in the wrong place


def test_an_argon2_hash_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    good = PasswordHasher().hash("correct horse battery")
    monkeypatch.setenv("ARBIG_AUTH__PASSWORD_HASH", good)
    assert load_settings().auth.password_hash == good
