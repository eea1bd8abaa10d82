"""``arbig data ...``: the market-data catalog (docs/data.md).

Offline tools on the catalog folder (``catalog_dir``, ``<data_dir>/catalog`` by
default): they need no running console. Every failure is one line on stderr.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from arbig.catalog import Catalog
from arbig.catalog.export import FORMATS, export
from arbig.catalog.importer import ImportRefused, ImportReport, import_file
from arbig.catalog.synth import Synthesizer, trading_days
from arbig.cli.common import ConfigOption, DataDirOption, fail, settings_or_exit
from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import ContractError

data_app = typer.Typer(
    name="data",
    help="The market-data catalog: list, import, export, compact, synthesize.",
    no_args_is_help=True,
)
console = Console()

CatalogOption = Annotated[
    Path | None,
    typer.Option("--catalog", help="catalog folder (default: catalog_dir, <data-dir>/catalog)"),
]
SymbolOption = Annotated[
    str | None, typer.Option("--symbol", help="contract, e.g. au2612 (default: the main contract)")
]
DayOption = Annotated[str | None, typer.Option(help="trading day YYYY-MM-DD")]


def _settings(config: Path | None, data_dir: Path | None, catalog: Path | None) -> Settings:
    return settings_or_exit(config, data_dir=data_dir, catalog_dir=catalog)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not a day (YYYY-MM-DD)") from None


def _symbol(settings: Settings, symbol: str | None) -> str:
    symbol = symbol or settings.main_contract
    try:
        settings.contract_spec(symbol)
    except ContractError as exc:
        raise fail(f"--symbol: {exc}") from None
    return symbol


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@data_app.command("list")
def list_data(
    symbol: Annotated[str | None, typer.Argument(help="show this contract's days")] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    catalog: CatalogOption = None,
) -> None:
    """The contracts in the catalog, or one contract's trading days."""
    settings = _settings(config, data_dir, catalog)
    store = Catalog(settings.catalog_root)
    try:
        symbols = [symbol] if symbol else store.symbols()
        infos = {name: store.day_info(name) for name in symbols}
    except ValueError as exc:
        raise fail(str(exc)) from None
    if symbol and not infos[symbol]:
        raise fail(f"the catalog at {settings.catalog_root} holds no ticks of {symbol}", 1)
    if not symbols:
        console.print(
            f"The catalog at {settings.catalog_root} is empty: `arbig data synth --days 5` "
            "writes simulated days, `arbig data import FILE` imports a CSV file."
        )
        return
    if symbol:
        table = Table("trading day", "ticks", "size", "pending segments", title=symbol)
        for info in infos[symbol]:
            table.add_row(
                info.day.isoformat(),
                f"{info.ticks:,}",
                _size(info.bytes),
                str(info.pending_segments),
            )
    else:
        table = Table("contract", "days", "first", "last", "ticks", "bars", "size", title="catalog")
        for name, days in infos.items():
            if not days:
                continue
            table.add_row(
                name,
                str(len(days)),
                days[0].day.isoformat(),
                days[-1].day.isoformat(),
                f"{sum(d.ticks for d in days):,}",
                f"{sum(d.bars for d in days):,}",
                _size(sum(d.bytes for d in days)),
            )
    console.print(table)


@data_app.command()
def synth(
    days: Annotated[int, typer.Option("--days", min=1, max=2000, help="trading days to write")],
    symbol: SymbolOption = None,
    end: DayOption = None,
    seed: Annotated[
        int, typer.Option(help="seed of the price path: the same seed, the same days")
    ] = 1,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Write N trading days of simulated ticks (the simulator's price path), ending with
    --end (default: the last trading day before today), replacing those days."""
    settings = _settings(config, data_dir, catalog)
    symbol = _symbol(settings, symbol)
    calendar = TradingCalendar.gold(settings.holidays)
    last = _day(end, "--end")
    if last is None:
        today = calendar.trading_day(datetime.now(EXCHANGE_TZ))
        last = today.fromordinal(today.toordinal() - 1)
    product, year, month = settings.contract_table.product(symbol)
    final = product.listing.last_day(year, month, settings.holidays)
    if last > final:
        raise fail(
            f"{symbol} stops trading on {final}: pass --end on or before it, or a later month"
        )
    wanted = trading_days(calendar, last, days)
    maker = Synthesizer(
        settings.contract_spec(symbol),
        calendar,
        start_price=settings.sim.start_price,
        volatility=settings.sim.volatility,
        seed=seed,
    )
    store = Catalog(settings.catalog_root)
    total = 0
    with progress() as bar:
        task = bar.add_task(f"synth {symbol}", total=len(wanted))
        for day, ticks in maker.days(wanted):
            store.write_days(symbol, {day: ticks}, source=f"synth seed={seed}")
            total += len(ticks)
            bar.advance(task)
    console.print(
        f"{symbol}: {len(wanted)} trading days {wanted[0]} .. {wanted[-1]}, {total:,} ticks "
        f"in {settings.catalog_root}"
    )


@data_app.command()
def compact(
    symbol: Annotated[str | None, typer.Option(help="only this contract")] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Fold the recorder's closed journal segments into the day files."""
    settings = _settings(config, data_dir, catalog)
    try:
        done = Catalog(settings.catalog_root).compact(symbol)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not done:
        console.print("nothing to compact")
        return
    for item in done:
        if item.rows:
            console.print(
                f"{item.kind} {item.symbol} {item.day}: {item.segments} segments in, "
                f"{item.rows:,} rows in the day file"
            )
        else:
            removed = "segment" if item.segments == 1 else "segments"
            console.print(
                f"{item.kind} {item.symbol} {item.day}: {item.segments} empty {removed} "
                "removed (a recording that stopped before its first write), no day"
            )


@data_app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="CSV files", exists=False)],
    fmt: Annotated[
        str, typer.Option("--format", help="auto, ctp, vnpy or generic (see docs/data.md)")
    ] = "auto",
    symbol: Annotated[
        str | None, typer.Option(help="the contract, when the file has no symbol column")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="generic files: FIELD=COLUMN, e.g. --map last_price=price"),
    ] = None,
    datetime_format: Annotated[
        str | None, typer.Option(help="strptime format of the time column (default: ISO 8601)")
    ] = None,
    encoding: Annotated[str, typer.Option(help="auto (UTF-8, else GB18030) or a codec")] = "auto",
    all_hours: Annotated[
        bool, typer.Option("--all-hours", help="keep ticks outside the trading sessions")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="replace the days already held instead of adding to them"),
    ] = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Import CSV files of ticks (or vn.py bars), each whole or not at all, with the tick
    hygiene rules applied and a report of what was dropped and why."""
    settings = _settings(config, data_dir, catalog)
    if symbol is not None:
        symbol = _symbol(settings, symbol)
    fields: dict[str, str] = {}
    for item in mapping or []:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise fail(f"--map: {item!r} is not FIELD=COLUMN")
        fields[name.strip()] = column.strip()
    store = Catalog(settings.catalog_root)
    calendar = TradingCalendar.gold(settings.holidays)
    failed = 0
    for path in files:
        with progress() as bar:
            task = bar.add_task(f"import {path.name}", total=None)

            def advance(done: int, total: int, task: TaskID = task, bar: Progress = bar) -> None:
                bar.update(task, completed=done, total=total)

            try:
                report = import_file(
                    store,
                    path,
                    settings.contract_spec,
                    calendar,
                    fmt=fmt,
                    symbol=symbol,
                    mapping=fields,
                    datetime_format=datetime_format,
                    encoding=encoding,
                    check_sessions=not all_hours,
                    replace=replace,
                    progress=advance,
                )
            except ImportRefused as exc:
                failed += 1
                typer.echo(f"arbig: {path}: {exc}", err=True)
                if exc.report is not None:
                    _print_drops(exc.report)
                continue
        _print_report(report)
    if failed:
        raise typer.Exit(1)


def _print_report(report: ImportReport) -> None:
    days = sum(len(d) for d in report.days.values())
    console.print(
        f"{report.path}: {report.format} {report.kind} ({report.encoding}), "
        f"{report.rows:,} rows read, {report.imported:,} imported into {days} trading days "
        f"of {', '.join(report.days)}"
        + (f"; added to {report.merged} days already held" if report.merged else "")
        + (f"; {report.replaced} days already held were replaced" if report.replaced else "")
    )
    _print_drops(report)


def _print_drops(report: ImportReport) -> None:
    if not report.dropped:
        return
    table = Table("dropped", "rows", "first example", title=f"{report.path.name}: rows dropped")
    for reason, count in report.dropped.most_common():
        table.add_row(reason, f"{count:,}", report.examples.get(reason, ""))
    console.print(table)


@data_app.command("export")
def export_data(
    symbol: Annotated[str, typer.Argument(help="the contract, e.g. au2612")],
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write", dir_okay=False)],
    first: Annotated[str | None, typer.Option("--from", help="first trading day")] = None,
    last: Annotated[str | None, typer.Option("--to", help="last trading day")] = None,
    bars: Annotated[bool, typer.Option("--bars", help="1-minute bars instead of ticks")] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: from the suffix)")
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Export a contract's ticks (or bars) of a range of trading days."""
    settings = _settings(config, data_dir, catalog)
    kind = fmt or ("parquet" if output.suffix.lower() == ".parquet" else "csv")
    if kind not in FORMATS:
        raise fail(f"--format: {kind!r} is not csv or parquet")
    store = Catalog(settings.catalog_root)
    try:
        held = store.bar_days(symbol) if bars else store.days(symbol)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not held:
        raise fail(f"the catalog at {settings.catalog_root} holds nothing of {symbol}", 1)
    if not output.parent.is_dir():
        raise fail(f"--output: the folder {output.parent} does not exist")
    with progress() as bar:
        task = bar.add_task(f"export {symbol}", total=None)
        rows = export(
            store,
            symbol,
            output,
            first=_day(first, "--from"),
            last=_day(last, "--to"),
            bars=bars,
            fmt=kind,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"{output}: {rows:,} {'bars' if bars else 'ticks'} of {symbol} ({kind})")


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
