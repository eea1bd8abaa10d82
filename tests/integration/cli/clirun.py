"""Running ``arbig`` in a child process (imported as ``clirun``).

``arbig(...)`` runs the real command (``python -m arbig``) with an environment free
of the caller's ``ARBIG_*`` variables and a hard timeout: a command that
unexpectedly starts the server is killed instead of left running.
"""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 30


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARBIG_")}
    env.update(extra)
    return env


def arbig(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = "") -> Outcome:
    """Run ``arbig ARGS`` to the end in a child process and return what it printed."""
    completed = subprocess.run(
        [sys.executable, "-m", "arbig", *args],
        cwd=cwd,
        env=clean_env(**(env or {})),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


@contextmanager
def port_taken(host: str = "127.0.0.1") -> Iterator[int]:
    """A port on ``host`` that another program is listening on, for the duration."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind((host, 0))
        other.listen(1)
        yield other.getsockname()[1]
