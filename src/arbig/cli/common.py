"""What every ``arbig`` command shares: settings loading and one-line failures."""

from pathlib import Path
from typing import Annotated

import typer

from arbig.config import ConfigError, Settings, load_settings

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML configuration file", dir_okay=False)
]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="folder for the SQLite book, state, credential")
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``arbig: message`` to standard error; raise the result to exit with ``code``."""
    typer.echo(f"arbig: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit(config: Path | None = None, **overrides: object) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise fail(str(exc)) from None
