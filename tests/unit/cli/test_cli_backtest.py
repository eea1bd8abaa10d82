"""``arbig backtest``: bad input is one clear line and exit code 2, before any replay."""

from pathlib import Path

import pytest
from clikit import invoke


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "no strategy named 'nosuch'"),
        (["ma_crossover", "--from", "2026-13-01"], "--from '2026-13-01'"),
        (["ma_crossover", "--param", "fast"], "--param 'fast': write NAME=VALUE"),
        (["ma_crossover", "--param", "fast=30", "--param", "slow=20"], "must be shorter"),
        (["ma_crossover", "--grid", "fast"], "--grid 'fast'"),
        (["ma_crossover", "--grid", "fast=3,5", "--rank", "luck"], "--rank 'luck'"),
        (["ma_crossover", "--capital", "-5"], "--capital"),
        (["ma_crossover", "--from", "2026-06-08", "--to", "2026-06-01"], "is after --to"),
        (["ma_crossover", "--symbol", "zz"], "symbol 'zz'"),
    ],
)
def test_bad_input_is_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = invoke("backtest", *args, "--data-dir", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_empty_catalog_says_how_to_get_data(tmp_path: Path) -> None:
    result = invoke("backtest", "ma_crossover", "--data-dir", str(tmp_path), "--no-store")
    assert result.exit_code == 2, result.output
    assert "holds no ticks" in result.output and "arbig data synth" in result.output
