"""Copying immutable values with a few fields changed, on the hot path."""

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Copier = Callable[[Any, dict[str, Any]], Any]
_COPIERS: dict[type[Any], _Copier] = {}


def evolve(value: T, **changes: Any) -> T:
    """``dataclasses.replace`` for frozen, slotted dataclasses, without re-running
    ``__init__`` or ``__post_init__``: use it only where those merely check or normalise
    fields the copy keeps unchanged.

    ``replace`` inspects the fields and re-runs ``__init__`` on every call; orders and
    triggers change state several times per decision, and measured in
    bench/bench_strategy.py that introspection was the largest single cost. This
    copies the slots directly, with a copier written once per class.
    """
    copier = _COPIERS.get(type(value)) or _write_copier(type(value))
    new: T = copier(value, changes)
    return new


def _write_copier(cls: type[Any]) -> _Copier:
    """A function copying ``cls``'s slots one by one, unrolled (as ``dataclasses`` writes
    ``__init__``): a loop over the slot names with ``getattr`` costs twice as much."""
    lines = ["def copy(value, changes):", "    new = _new(_cls)"]
    for name in cls.__slots__:
        if not name.isidentifier():  # the source below is made of these names only
            raise TypeError(f"{cls.__name__}: slot {name!r} is not an identifier")
        pick = f"changes[{name!r}] if {name!r} in changes else value.{name}"
        lines.append(f"    _set(new, {name!r}, {pick})")
    lines.append("    return new")
    namespace: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    exec("\n".join(lines), namespace)
    copier: _Copier = namespace["copy"]
    _COPIERS[cls] = copier
    return copier
