"""Copying immutable values with a few fields changed, on the hot path."""

from typing import Any, TypeVar

T = TypeVar("T")


def evolve(value: T, **changes: Any) -> T:
    """``dataclasses.replace`` for frozen, slotted dataclasses, without re-running
    ``__init__`` or ``__post_init__``: use it only where those merely check or normalise
    fields the copy keeps unchanged.

    ``replace`` inspects the fields and re-runs ``__init__`` on every call; orders and
    triggers change state several times per decision, and measured in
    bench/bench_strategy.py that introspection was the largest single cost. This
    copies the slots directly.
    """
    cls = type(value)
    new = object.__new__(cls)
    for name in cls.__slots__:  # type: ignore[attr-defined]
        object.__setattr__(new, name, changes[name] if name in changes else getattr(value, name))
    return new
