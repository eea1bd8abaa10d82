"""`arbig run` records by default: every tick the console streamed is in the catalog,
readable while it runs and compacted into the day's Parquet file at the stop."""

import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from arbig_server import SYMBOL, ArbigServer
from test_embedded_run import FAST, receive_ticks

from arbig.catalog import Catalog
from arbig.catalog.layout import Kind

pytestmark = pytest.mark.e2e


def test_the_ticks_streamed_are_recorded_and_compacted_at_stop(tmp_path: Path) -> None:
    server = ArbigServer(tmp_path / "data", env=FAST)
    server.start()
    try:
        streamed = receive_ticks(server.port, 20, server.headers)
        data = [message["data"] for message in streamed]
        seen = {
            (datetime.fromisoformat(tick["datetime"]), Decimal(tick["last_price"]))
            for tick in data
            if isinstance(tick, dict)
        }
        assert len(seen) >= 10  # a snapshot after a gap may repeat the latest tick
        catalog = Catalog(tmp_path / "data" / "catalog")
        deadline = time.monotonic() + 30
        while True:  # recorded within a flush, readable before any compaction
            recorded = {(t.datetime, t.last_price) for t in catalog.ticks(SYMBOL)}
            if seen <= recorded:
                break
            assert time.monotonic() < deadline, "the streamed ticks were not recorded"
            time.sleep(0.2)
    finally:
        server.stop()
    assert not list((tmp_path / "data" / "catalog" / "journal").rglob("*.arrows*"))
    for day in catalog.days(SYMBOL):  # one, unless the run spanned 18:00 in Shanghai
        assert catalog.layout.day_file(Kind.TICKS, SYMBOL, day).exists()
    assert seen <= {(t.datetime, t.last_price) for t in catalog.ticks(SYMBOL)}
