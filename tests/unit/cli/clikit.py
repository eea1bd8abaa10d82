"""Running ``arbig`` in the specifications (imported as ``clikit``).

``invoke(...)`` runs the Typer app in this process, for the quick commands. The
specifications that run the real command in a child process are integration tests
(tests/integration/cli, ``clirun``).
"""

from typer.testing import CliRunner, Result

from arbig.cli.main import app


def invoke(*args: str, stdin: str | None = None) -> Result:
    """Run ``arbig ARGS`` in this process (the caller clears ``ARBIG_*`` first)."""
    return CliRunner().invoke(app, list(args), input=stdin)
