"""Finding strategies: the built-ins and the operator's own modules, and their parameters."""

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from arbig.engine.strategy.base import Strategy, StrategyParams

StrategyClass = type[Strategy[Any]]


class StrategyError(ValueError):
    """A strategy that cannot be loaded, configured or started; the message says why."""


def builtin_strategies() -> dict[str, StrategyClass]:
    """The strategies shipped with ARBIG, by name."""
    # By name: the strategies import the engine's base, the engine does not import them.
    builtins: list[StrategyClass] = importlib.import_module("arbig.strategies").BUILTINS
    return {cls.name: cls for cls in builtins}


def load_module(spec: str) -> dict[str, StrategyClass]:
    """The strategies defined in ``spec``: a dotted module path or a ``.py`` file."""
    module = _import(spec)
    found = {
        cls.name: cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Strategy) and cls is not Strategy and cls.__module__ == module.__name__
    }
    if not found:
        raise StrategyError(f"strategy module {spec!r} defines no Strategy subclass")
    for name, cls in found.items():
        if not name or not name.replace("_", "").isalnum():
            raise StrategyError(
                f"{cls.__qualname__} in {spec!r}: set `name` to a short identifier, got {name!r}"
            )
    return found


def registry(modules: list[str]) -> dict[str, StrategyClass]:
    """Built-ins plus every strategy from ``modules``; a duplicate name is an error."""
    known = builtin_strategies()
    for spec in modules:
        for name, cls in load_module(spec).items():
            if name in known and known[name] is not cls:
                raise StrategyError(f"strategy name {name!r} from {spec!r} is already taken")
            known[name] = cls
    return known


def validate_params(cls: StrategyClass, data: dict[str, Any]) -> StrategyParams:
    """``data`` as ``cls``'s parameters; StrategyError lists every problem in one line."""
    try:
        return cls.params_model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in exc.errors()
        )
        raise StrategyError(f"parameters of {cls.name} do not validate: {problems}") from None


def _import(spec: str) -> ModuleType:
    try:
        if spec.endswith(".py"):
            path = Path(spec).expanduser().resolve()
            if not path.is_file():
                raise StrategyError(f"strategy file {spec!r} does not exist")
            name = f"arbig_user_strategy_{path.stem}"
            loader_spec = importlib.util.spec_from_file_location(name, path)
            if loader_spec is None or loader_spec.loader is None:
                raise StrategyError(f"cannot load strategy file {spec!r}")
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[name] = module  # dataclasses and pydantic look their module up here
            loader_spec.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except StrategyError:
        raise
    except Exception as exc:
        raise StrategyError(
            f"strategy module {spec!r} failed to import: {type(exc).__name__}: {exc}"
        ) from None
