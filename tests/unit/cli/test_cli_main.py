"""``arbig``: the commands that answer without starting anything, run in-process.

``arbig run``'s refusals start a real child process and are integration tests
(tests/integration/cli/test_cli_run.py).
"""

from clikit import invoke

from arbig import __version__


def test_no_arguments_shows_the_help() -> None:
    result = invoke()

    assert "Usage: arbig" in result.output
    assert "run" in result.output


def test_version_prints_the_package_version() -> None:
    result = invoke("version")

    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_an_unknown_command_fails_without_a_traceback() -> None:
    result = invoke("fly")

    assert result.exit_code == 2
    assert "No such command" in result.output
    assert "Traceback" not in result.output
