"""The broker_tables file: the broker's rates for paper trading, checked field by field."""

from decimal import Decimal
from pathlib import Path

import pytest

from arbig.domain.enums import Exchange
from arbig.gateways.tables import BrokerTablesError, load_broker_tables

GOOD = """
[margins.au]
long_by_money = "0.12"
short_by_money = 0.12

[commissions.au]
open_by_volume = "2.00"
close_today_by_volume = "0"

[instruments.au2612]
exchange = "SHFE"
multiplier = 1000
price_tick = "0.02"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_gives_the_tables_with_exact_decimals(tmp_path: Path) -> None:
    tables = load_broker_tables(write(tmp_path, GOOD))
    assert tables.margins["au"].short_by_money == Decimal("0.12")
    assert tables.commissions["au"].open_by_volume == Decimal("2.00")
    assert tables.instruments["au2612"].exchange is Exchange.SHFE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[margin.au]\nlong_by_money = 0.1\n", "unknown section(s) margin"),
        ("[margins.au]\nlong_by_mony = 0.1\n", "[margins.au] has unknown field(s) long_by_mony"),
        ("[margins.au]\nlong_by_money = 1.5\n", "a margin ratio by money must lie in [0, 1)"),
        ("[margins.au\n", "broker tables"),
        (
            '[commissions.au]\nopen_by_volume = "two"\n',
            "[commissions.au]: CommissionRate: Invalid decimal",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(BrokerTablesError) as refused:
        load_broker_tables(write(tmp_path, text))
    assert message in str(refused.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerTablesError, match="No such file"):
        load_broker_tables(tmp_path / "nowhere.toml")
