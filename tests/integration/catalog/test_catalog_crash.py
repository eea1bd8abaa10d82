"""Crash safety: the recorder killed with SIGKILL mid-session leaves a catalog that
reads, holding every tick but those of its last second, in order, none twice."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pytest

from arbig.catalog import Catalog
from arbig.catalog.synth import Synthesizer
from arbig.config import ProductSettings
from arbig.domain.calendar import TradingCalendar

CHILD = Path(__file__).with_name("recording_child.py")
FLUSH_S = 1.0
# Scheduling on a loaded 2-core machine: the flush thread may start late by this much.
SLACK_S = 1.0

pytestmark = pytest.mark.integration


def expected_ticks(count: int) -> list[object]:
    spec = ProductSettings().spec("au2702")
    maker = Synthesizer(
        spec, TradingCalendar.gold(), start_price=Decimal(920), volatility=1e-4, seed=11
    )
    return list(islice(maker.stream(date(2026, 11, 30)), count))


def test_a_killed_recorder_loses_at_most_its_last_second(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    published: list[float] = []
    try:
        assert child.stdout is not None
        started = time.monotonic()
        # Mid-session: a few flushes in, then killed between two ticks at no chosen moment.
        while len(published) < 350:
            line = child.stdout.readline()
            assert line, f"the child ended early: {child.stderr.read() if child.stderr else ''}"
            published.append(float(line.split()[1]))
            assert time.monotonic() - started < 60, "the child published too slowly"
        child.send_signal(signal.SIGKILL)
        killed_at = time.time()
        child.wait(timeout=30)
        # What it printed before dying was published before the kill.
        for line in child.stdout:
            published.append(float(line.split()[1]))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
        if child.stderr is not None:
            child.stderr.close()

    catalog = Catalog(tmp_path)
    recorded = list(catalog.ticks("au2702"))
    assert recorded == expected_ticks(len(recorded))  # a prefix: in order, none twice
    lost = published[len(recorded) :]
    if lost:
        lost_span = killed_at - lost[0]
        assert lost_span <= FLUSH_S + SLACK_S, f"lost the last {lost_span:.2f} s"
    assert len(recorded) >= 100
    # The catalog stays usable: the dead writer's segment compacts, then reads the same.
    catalog.compact()
    assert list(catalog.ticks("au2702")) == recorded
    assert not list((tmp_path / "journal").rglob("*.arrows*"))
