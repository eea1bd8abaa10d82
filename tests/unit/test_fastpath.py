"""Each fast path on a dependency's internals is pinned to the version in requirements.lock.

Bumping a pinned dependency in the lock without checking its fast path again (and
moving the pin in arbig/fastpath.py) fails here, rather than turning the fast path
off in silence.
"""

import re
from pathlib import Path

import pytest

from arbig.fastpath import PINS, Pin

LOCK = Path(__file__).parents[2] / "requirements.lock"


def locked(distribution: str) -> str:
    match = re.search(rf"^{re.escape(distribution)}==(\S+)", LOCK.read_text(), re.M | re.I)
    assert match, f"{distribution} is not pinned in requirements.lock"
    return match[1]


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.name)
def test_each_fast_path_is_checked_against_the_locked_version(pin: Pin) -> None:
    assert pin.version == locked(pin.distribution)


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.name)
def test_with_the_locked_versions_installed_every_fast_path_is_on(pin: Pin) -> None:
    assert pin.installed() == pin.version
    assert pin.holds()


def test_another_version_turns_the_fast_path_off() -> None:
    assert not Pin("redis-resp", "redis", "0.0.1").holds()
    assert not Pin("nothing", "no-such-distribution-arbig", "1.0").holds()
