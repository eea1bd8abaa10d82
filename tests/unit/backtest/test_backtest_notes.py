"""A run's notes are stable codes with their values, stored as JSON, worded in English
for the terminal table and the HTML report; runs stored before notes had codes (plain
sentences) read back all the same."""

import json
from decimal import Decimal

from rich.console import Console

from arbig.backtest.notes import OPEN_AT_END, TEXT, Note, note_text, open_at_end, read_notes
from arbig.backtest.report import run_report
from arbig.backtest.results import series_json
from arbig.backtest.spec import BacktestResult
from arbig.backtest.table import run_table

OLD_SENTENCE = "positions still open at the end are valued at the last price"


def test_lots_open_at_the_end_are_a_code_with_the_lots_and_the_price() -> None:
    note = open_at_end(2, 0, Decimal("512.30"))
    assert note == Note(OPEN_AT_END, {"long": 2, "short": 0, "price": "512.30"})
    assert note_text(note) == (
        "Positions still open at the end (long 2, short 0) are valued at the last price, 512.30"
    )


def test_a_run_left_holding_stores_the_code_not_a_sentence(ma_run: BacktestResult) -> None:
    stored = json.loads(json.dumps(series_json(ma_run)))["notes"]
    assert stored == [{"code": "open_at_end", "params": {"long": 0, "short": 1, "price": "923.32"}}]
    assert read_notes(stored) == ma_run.notes


def test_the_terminal_table_and_the_html_report_word_the_note_in_english(
    ma_run: BacktestResult,
) -> None:
    wording = "Positions still open at the end (long 0, short 1) are valued at the last price"
    console = Console(width=200, record=True)
    console.print(run_table(ma_run))
    assert wording in console.export_text()
    assert f"<p class=note>{wording}, 923.32</p>" in run_report(ma_run, "test")


def test_a_run_stored_with_plain_sentences_reads_as_text_notes() -> None:
    notes = read_notes([OLD_SENTENCE])
    assert notes == [Note(TEXT, {"text": OLD_SENTENCE})]
    assert [note_text(n) for n in notes] == [OLD_SENTENCE]


def test_both_shapes_read_together_and_what_is_no_note_is_skipped() -> None:
    stored = [
        "an old sentence",
        {"code": "open_at_end", "params": {"long": 1, "short": 1, "price": "1.5"}},
        {"code": "open_at_end"},
        {"params": {}},
        7,
        None,
    ]
    assert read_notes(stored) == [
        Note(TEXT, {"text": "an old sentence"}),
        Note(OPEN_AT_END, {"long": 1, "short": 1, "price": "1.5"}),
        Note(OPEN_AT_END, {}),
    ]
    assert read_notes(None) == []
    assert read_notes("not a list") == []


def test_an_unknown_code_shows_its_values_and_a_missing_value_its_placeholder() -> None:
    assert note_text(Note("gap", {"minutes": 5})) == "gap (minutes=5)"
    assert note_text(Note("gap")) == "gap"
    assert note_text(Note(OPEN_AT_END, {"long": 1})) == (
        "Positions still open at the end (long 1, short {short}) are valued at the last "
        "price, {price}"
    )
