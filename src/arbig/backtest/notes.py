"""A run's notes: what a reader of its figures should know (lots still open at the end).

A note is a stable code with its parameters, stored with the run as
``{"code": ..., "params": {...}}``: the console words it in its own language
(``bt.note.<code>`` in frontend/src/lib/text-*.ts), the terminal table and the HTML
report in English (``note_text``). Runs stored before notes had codes hold plain
English sentences; ``read_notes`` reads both shapes.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

OPEN_AT_END = "open_at_end"
TEXT = "text"  # a note stored as a plain sentence, shown as written

ENGLISH = {
    OPEN_AT_END: (
        "Positions still open at the end (long {long}, short {short}) are valued at the "
        "last price, {price}"
    ),
    TEXT: "{text}",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Note:
    """One note: ``code`` (a key of ``ENGLISH``) and the values its wording takes."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)


def open_at_end(long: int, short: int, price: Decimal) -> Note:
    """Lots still held when the data ends, valued at the last price instead of a fill."""
    return Note(OPEN_AT_END, {"long": long, "short": short, "price": str(price)})


def note_text(note: Note) -> str:
    """The note in English; a code this version does not know is shown with its values."""
    template = ENGLISH.get(note.code)
    if template is None:
        values = ", ".join(f"{k}={v}" for k, v in note.params.items())
        return f"{note.code} ({values})" if values else note.code
    # As the console fills its text: a value the note lacks leaves its placeholder.
    return _PLACEHOLDER.sub(lambda m: str(note.params.get(m[1], m[0])), template)


def read_notes(stored: Any) -> list[Note]:
    """A stored run's notes, of either shape: ``{"code", "params"}`` objects, or the
    plain sentences of runs stored before notes had codes. Anything else is skipped."""
    if not isinstance(stored, list):
        return []
    notes = []
    for item in stored:
        if isinstance(item, str):
            notes.append(Note(TEXT, {"text": item}))
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            params = item.get("params")
            notes.append(Note(item["code"], dict(params) if isinstance(params, dict) else {}))
    return notes
