"""``arbig notify``: the notification channels."""

import asyncio

import typer

from arbig.cli.common import ConfigOption, fail, settings_or_exit

notify_app = typer.Typer(
    name="notify", help="Notifications: send a test message.", no_args_is_help=True
)


@notify_app.command("test")
def test_message(config: ConfigOption = None) -> None:
    """Send a test message to every configured channel; exit 1 if one failed."""
    from arbig.ops.metrics import Metrics
    from arbig.ops.notify import Notifier

    settings = settings_or_exit(config)
    if not settings.notify.channels:
        raise fail("no notification channels are configured ([notify.channels] in the settings)")

    async def send() -> dict[str, bool]:
        return await Notifier(settings.notify, Metrics()).test()

    results = asyncio.run(send())
    for name, ok in results.items():
        scheme = settings.notify.channels[name].url.partition("://")[0]
        typer.echo(f"{name} ({scheme}): {'sent' if ok else 'FAILED'}")
    if not all(results.values()):
        raise typer.Exit(1)
