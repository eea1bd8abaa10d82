"""``arbig db reconcile``: the book's positions against the broker's, in the running
console, and the operator's acceptance of the broker's positions (an audited
adjustment that lifts the reconciliation halt; trading is resumed afterwards)."""

from typing import Annotated, Any

import typer

from arbig.cli.strategy import TokenOption, YesOption, call

ConsoleOption = Annotated[
    str | None,
    typer.Option(
        "--console", envvar="ARBIG_URL", help="console URL (or ARBIG_URL; default: the settings)"
    ),
]


def show(state: dict[str, Any]) -> None:
    if state["halted"]:
        typer.echo(f"trading halted by the reconciliation: {state['halted']}")
    if not state["differences"]:
        typer.echo("the book's positions equal the broker's")
        return
    typer.echo(f"{'contract':<10} {'direction':<9} {'book':>6} {'broker':>6}")
    for d in state["differences"]:
        typer.echo(f"{d['symbol']:<10} {d['direction']:<9} {d['book']:>6} {d['broker']:>6}")


def reconcile(
    ctx: typer.Context,
    accept: Annotated[
        bool, typer.Option("--accept", help="make the book's positions the broker's")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="why (required with --accept; audited)")
    ] = None,
    console: ConsoleOption = None,
    token: TokenOption = None,
    yes: YesOption = False,
) -> None:
    """Show each difference between the book's positions and the broker's; with
    --accept, record the broker's as an audited adjustment and lift the halt."""
    config = (ctx.obj or {}).get("config")
    state = call("GET", "/risk/reconciliation", console, token, config)
    show(state)
    if not accept:
        return
    if not reason:
        raise typer.BadParameter("a reason is required with --accept", param_hint="--reason")
    if not state["differences"]:
        return
    if not yes:
        typer.confirm("Record adjustment fills so the book equals the broker's?", abort=True)
    done = call(
        "POST",
        "/risk/reconciliation/accept",
        console,
        token,
        config,
        {"confirm": True, "reason": reason},
    )
    typer.echo(f"adjusted: {', '.join(done['adjustments'])}")
    typer.echo("resume trading with a reason: the System page, or PUT /api/v1/risk/state")
