"""Calls of student functions, described as data so they can cross the sandbox.

A :class:`Case` lists the arguments of one call.  Arguments are plain data
(numbers, strings, lists, dicts, numpy arrays) or :class:`Named` helpers: a
function (an activation, a loss gradient) that the student's code must
receive as an argument.  No code crosses the boundary, only a helper's name
and plain parameters; each side rebuilds the function from the assignment's
module of helpers.

That module belongs to the assignment, not to the engine: the rubric names it
(``helpers: public.hw4_helpers``) and it lives in the shipped, public folder
:data:`HELPER_PACKAGE`, which the sandboxed child can read (it can never read
``reference/``).  It defines

``HELPERS: dict[str, Callable]``
    functions passed as they are, by name (``Named("public.x:sigmoid")``);
``FACTORIES: dict[str, Callable[..., Callable]]`` (optional)
    functions built from plain keyword parameters
    (``Named("public.x:quadratic_loss_grad", (("target", (1.0, 0.0)),))``),

and imports only the standard library, numpy and :mod:`grader.sandbox.calls`.  Both
sides load it from its file under the project root (never through
``sys.path``, so no file beside a submission can stand in for it), and build
the reference's calls with :func:`helper`.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["HELPER_PACKAGE", "Case", "Named", "helper", "helper_module", "named_helpers", "resolve", "resolve_args"]

HELPER_PACKAGE = "public"
"""The folder (package) of helper modules: shipped to students and readable by the sandbox."""

_ROOT = Path(__file__).resolve().parents[2]  # the project: grader/sandbox/calls.py
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_LOADED: dict[str, ModuleType] = {}


@dataclass(frozen=True, slots=True)
class Named:
    """A helper function known by name on both sides: ``"<module>:<function>"``.

    ``params`` holds plain keyword data for helpers built by a factory, such
    as the target of a loss.  Build one with :func:`helper`.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def module(self) -> str:
        """The helper module, e.g. ``public.hw4_helpers``."""
        return self.name.rpartition(":")[0]

    @property
    def function(self) -> str:
        """The helper's own name, as shown in feedback (``sigmoid``)."""
        return self.name.rpartition(":")[2]


@dataclass(frozen=True, slots=True)
class Case:
    """One call: positional and keyword arguments, and a label for feedback."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""


def helper(module: str, function: str, **params: Any) -> Named:
    """The ``Named`` helper ``function`` of the helper module ``module``, with factory ``params``."""
    return Named(f"{module}:{function}", tuple(params.items()))


def helper_module(name: str) -> ModuleType:
    """The helper module ``name``, loaded once from its file under the project root.

    Raises:
        KeyError: ``name`` is not a module of :data:`HELPER_PACKAGE`, or it has no file.
    """
    if name in _LOADED:
        return _LOADED[name]
    if not _MODULE_NAME.match(name) or name.split(".")[0] != HELPER_PACKAGE:
        raise KeyError(f"helper module {name!r} is not a module of the {HELPER_PACKAGE}/ folder")
    path = _ROOT.joinpath(*name.split(".")).with_suffix(".py")
    if not path.is_file():
        raise KeyError(f"helper module {name!r} has no file {HELPER_PACKAGE}/{path.name}")
    private = "_grader_helpers_." + name
    spec = importlib.util.spec_from_file_location(private, path)
    if spec is None or spec.loader is None:
        raise KeyError(f"helper module {name!r} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[private] = module  # dataclasses and pickling look a module up by name
    spec.loader.exec_module(module)
    _LOADED[name] = module
    return module


def _table(module: ModuleType, attr: str) -> Mapping[str, Callable[..., Any]]:
    table = getattr(module, attr, {})
    return table if isinstance(table, Mapping) else {}


def resolve(named: Named) -> Callable[[Any], Any]:
    """Build the function a ``Named`` helper stands for; ``KeyError`` when there is none."""
    module = helper_module(named.module)
    simple, factories = _table(module, "HELPERS"), _table(module, "FACTORIES")
    if named.function in simple and not named.params:
        return simple[named.function]
    if named.function in factories:
        return factories[named.function](**dict(named.params))
    raise KeyError(f"unknown helper function {named.function!r} in {named.module}")


def resolve_args(value: Any) -> Any:
    """Replace every ``Named`` inside lists, tuples and dicts by its function."""
    if isinstance(value, Named):
        return resolve(value)
    if isinstance(value, tuple):
        return tuple(resolve_args(v) for v in value)
    if isinstance(value, list):
        return [resolve_args(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve_args(v) for k, v in value.items()}
    return value


def named_helpers(value: Any) -> list[Named]:
    """Every ``Named`` helper inside lists, tuples and dicts, in order."""
    if isinstance(value, Named):
        return [value]
    if isinstance(value, (tuple, list)):
        return [n for v in value for n in named_helpers(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in named_helpers(v)]
    return []
