"""The broker's tables from a file (the ``broker_tables`` setting): margin and
commission rates and instrument terms as the broker gave them, for trading on
paper with the broker's figures before the trader session can query them.

The file is TOML; rates are given by contract (``au2612``) or by product (``au``)::

    [margins.au]
    long_by_money = "0.12"
    short_by_money = "0.12"

    [commissions.au]
    open_by_volume = "2.00"
    close_by_volume = "2.00"
    close_today_by_volume = "0.00"

    [instruments.au2612]
    exchange = "SHFE"
    multiplier = 1000
    price_tick = "0.02"
"""

import tomllib
from pathlib import Path

from arbig.codec import CodecError, convert, field_names, text_fields
from arbig.domain.broker_tables import BrokerTables, CommissionRate, InstrumentTerms, MarginRate
from arbig.domain.contract import ContractError

_SECTIONS: dict[str, type] = {
    "instruments": InstrumentTerms,
    "margins": MarginRate,
    "commissions": CommissionRate,
}


class BrokerTablesError(ValueError):
    """The broker tables file cannot be used; the message names the file and the field."""


def load_broker_tables(path: Path) -> BrokerTables:
    """The tables in ``path``; BrokerTablesError says what is wrong and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BrokerTablesError(f"broker tables {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BrokerTablesError(f"broker tables {path}: {exc}") from None
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise BrokerTablesError(
            f"broker tables {path}: unknown section(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(_SECTIONS)}"
        )
    sections: dict[str, dict[str, object]] = {}
    for section, entries in data.items():
        cls = _SECTIONS[section]
        known = field_names(cls)
        sections[section] = {}
        for symbol, entry in entries.items():
            where = f"broker tables {path}: [{section}.{symbol}]"
            wrong = sorted(set(entry) - set(known)) if isinstance(entry, dict) else ["?"]
            if wrong:
                raise BrokerTablesError(
                    f"{where} has unknown field(s) {', '.join(wrong)}; known: {', '.join(known)}"
                )
            try:
                sections[section][symbol] = convert(entry, cls, strict=False)
            except CodecError as exc:
                raise BrokerTablesError(f"{where}: {exc}") from None
    try:
        return BrokerTables(**sections)  # type: ignore[arg-type]
    except ContractError as exc:
        raise BrokerTablesError(f"broker tables {path}: {exc}") from None


def broker_tables_toml(tables: BrokerTables) -> str:
    """``tables`` as a ``broker_tables`` file (read back by ``load_broker_tables``);
    amounts as quoted text, so nothing is lost to binary floats."""
    lines: list[str] = []
    for section, entries in (
        ("instruments", tables.instruments),
        ("margins", tables.margins),
        ("commissions", tables.commissions),
    ):
        for symbol in sorted(entries):
            lines.append(f"[{section}.{symbol}]")
            for name, value in text_fields(entries[symbol]).items():
                if value is None:
                    continue
                text = str(value) if isinstance(value, int) else f'"{value}"'
                lines.append(f"{name} = {text}")
            lines.append("")
    return "\n".join(lines)
