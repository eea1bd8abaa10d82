"""`arbig notify test`: a test message to every configured channel, for real."""

import sys
from pathlib import Path

from clirun import arbig

sys.path.insert(0, str(Path(__file__).parents[1] / "ops"))

from receivers import Webhook


def test_notify_test_sends_to_each_channel_and_says_so(tmp_path: Path) -> None:
    with Webhook() as hook:
        config = tmp_path / "arbig.toml"
        config.write_text(f'[notify.channels.desk]\nurl = "{hook.url}"\n')

        outcome = arbig("notify", "test", "--config", str(config), cwd=tmp_path)

    assert outcome.code == 0, outcome.output
    assert outcome.stdout.splitlines() == ["desk (json): sent"]
    assert hook.titles() == ["ARBIG: test message"]


def test_notify_test_fails_when_a_channel_does_not_answer(tmp_path: Path) -> None:
    with Webhook() as hook:
        hook.status = 500
        config = tmp_path / "arbig.toml"
        config.write_text(f'[notify.channels.desk]\nurl = "{hook.url}"\n')

        outcome = arbig("notify", "test", "--config", str(config), cwd=tmp_path)

    assert outcome.code == 1
    assert "desk (json): FAILED" in outcome.stdout


def test_notify_test_without_channels_says_how_to_add_one(tmp_path: Path) -> None:
    outcome = arbig("notify", "test", cwd=tmp_path)

    assert outcome.code == 2
    assert outcome.stderr.splitlines() == [
        "arbig: no notification channels are configured ([notify.channels] in the settings)"
    ]
