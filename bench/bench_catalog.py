"""The market-data catalog: writing and reading a contract's days of ticks, beside
reading the same ticks from CSV in the same run.

    PYTHONPATH=src .venv/bin/python bench/bench_catalog.py [--days 3]

Writes ``--days`` simulated trading days (the simulator's price path, 66,600 ticks a
day) into a temporary catalog, then reads them back three ways: as ``Tick`` values
(``Catalog.ticks``), as Arrow tables (``Catalog.tick_tables``), and, for reference,
from a CSV export of the same ticks with the standard library's ``csv`` module, each
row made into a ``Tick`` (Decimals and datetimes parsed), as a plain CSV reader
would. Each read is the best of 2 rounds; sizes on disk are printed too.
"""

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from arbig.catalog import Catalog
from arbig.catalog.export import export
from arbig.catalog.synth import Synthesizer, trading_days
from arbig.config import ProductSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick

SYMBOL = "au2702"


def best(work: Callable[[], int], rounds: int = 2) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = work()
        times.append(time.perf_counter() - start)
    return min(times), count


def read_csv(path: Path) -> int:
    count = 0
    with open(path, newline="") as file:
        reader = csv.reader(file)
        next(reader)
        for row in reader:
            Tick(
                row[0],
                Exchange(row[1]),
                datetime.fromisoformat(row[2]),
                date.fromisoformat(row[3]),
                Decimal(row[4]),
                int(row[5]),
                Decimal(row[6]),
                int(row[7]),
                Decimal(row[8]),
                int(row[9]),
                Decimal(row[10]),
                int(row[11]),
                *(Decimal(value) for value in row[12:19]),
            )
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    calendar = TradingCalendar.gold()
    days = trading_days(calendar, date(2026, 11, 27), args.days)
    maker = Synthesizer(
        ProductSettings().spec(SYMBOL),
        calendar,
        start_price=Decimal("920.00"),
        volatility=0.000045,
        seed=1,
    )
    generated = {day: maker.day(day) for day in days}
    total = sum(map(len, generated.values()))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        catalog = Catalog(root / "catalog")
        start = time.perf_counter()
        for day, ticks in generated.items():
            catalog.write_ticks(SYMBOL, day, ticks)
        wrote = time.perf_counter() - start
        csv_path = root / "ticks.csv"
        export(catalog, SYMBOL, csv_path)
        parquet = sum(p.stat().st_size for p in (root / "catalog").rglob("*.parquet"))
        as_ticks, n1 = best(lambda: sum(1 for _ in catalog.ticks(SYMBOL)))
        as_tables, n2 = best(lambda: sum(t.num_rows for _, t in catalog.tick_tables(SYMBOL)))
        from_csv, n3 = best(lambda: read_csv(csv_path))
        assert n1 == n2 == n3 == total, (n1, n2, n3, total)
        print(f"{args.days} trading days, {total:,} ticks of {SYMBOL}")
        print(
            f"  on disk: Parquet (ticks and bars, zstd) {parquet / 1e6:.1f} MB; "
            f"CSV of the ticks {csv_path.stat().st_size / 1e6:.1f} MB"
        )
        print(f"  write (ticks + bars built):     {total / wrote:>12,.0f} ticks/s")
        print(f"  read as Tick values:            {total / as_ticks:>12,.0f} ticks/s")
        print(f"  read as Arrow tables:           {total / as_tables:>12,.0f} ticks/s")
        print(f"  reference, CSV into Ticks:      {total / from_csv:>12,.0f} ticks/s")
        print(f"  Tick values vs the CSV reference: {from_csv / as_ticks:.1f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
