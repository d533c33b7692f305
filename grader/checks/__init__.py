"""Check kinds: one module per kind, one signature, a plain registry.

A kind module is the only place that knows its kind.  Adding a kind is one
module plus one line in :data:`KINDS`; nothing else in the engine names a kind.
Every kind module exports:

* ``Params`` -- a frozen dataclass.  The grader builds it as
  ``Params(expected=<value from the reference>, **options)`` where ``options``
  is the check's ``options:`` mapping in the rubric; a bad option is a
  ``TypeError``/``ValueError`` that the rubric loader reports with its path.
* ``check(params, answer, *, ctx) -> CheckResult`` -- a pure judgement of one
  decoded answer (see ``grader.sandbox.answers``) against ``params``.
* ``HELP: str`` -- what a student gives, for the template (``"True or False"``).
* ``shape(params) -> dict`` -- the public shape of an answer (a length, the
  variables, the choices): plain JSON data, never the expected value.  It is
  what :mod:`grader.public_checks` ships to students for a part of this kind.
* ``read(answer, shape, *, strict=False) -> Any`` -- read a decoded answer
  (present, not failed) and check its form against ``shape``, raising
  ``grader.errors.InvalidAnswer`` that says what is wrong and where.  The
  same function serves grading (``check`` calls it) and the self-check;
  ``strict`` also refuses a form that grading reads but can never be right.

and optionally:

* ``options() -> type[BaseModel]`` -- a pydantic model of the ``options:`` mapping, validated when
  an assignment is bound (with the rubric's points as validation context) and
  exported into the rubric's JSON Schema.  By default it is derived from the
  fields of ``Params`` (see :func:`options_model`).
* ``note() -> str`` -- a paragraph for the template's header, shown once when a
  rubric has a part of this kind (the expression vocabulary).
* ``STAFF_GRADED = True`` -- answers are kept for the staff, not judged.
* ``CALLED = True`` -- the answer is a student function that checks call.
* ``REQUIRES: tuple[str, ...]`` -- fields a part of this kind must set (``signature``).
* ``plan(params, *, ctx) -> list[Case]`` -- the calls of the student's
  function this kind needs; the grader runs them in the sandbox and passes a
  ``FunctionAnswer`` to ``check``.
* ``EXPECTS_CALLABLE = True`` -- the reference name in ``expected:`` is passed
  as the function itself instead of being called for a value.
* ``as_expected(params, answer, *, reference) -> (expected, code)`` -- a
  student's answer turned into this kind's expected value (for kinds whose
  expected value is a function, so that reports can group answers).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
import typing
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:  # pydantic is for rubric authors: the student self-check runs without it
    from pydantic import BaseModel

__all__ = [
    "ENGINE_FIELDS", "KINDS", "REF_PATTERN", "CheckContext", "kind_module", "known_kinds", "options_model", "trait",
]

KINDS: dict[str, str] = {
    "number": "grader.checks.number",
    "vector": "grader.checks.vector",
    "expression": "grader.checks.expression",
    "relation": "grader.checks.relation",
    "region": "grader.checks.region",
    "polygon": "grader.checks.polygon",
    "choice": "grader.checks.choice",
    "bool": "grader.checks.boolean",
    "int_sequence": "grader.checks.int_sequence",
    "params_by_simulation": "grader.checks.params_by_simulation",
    "function": "grader.checks.function",
    "text": "grader.checks.text",
}
"""Kind name (the rubric's ``kind:``) -> module; a new kind is one more line."""

ENGINE_FIELDS = ("expected", "signature", "visibility")
"""``Params`` fields the grader fills in (from ``expected:``, the part, the check); never ``options:``."""

REF_PATTERN = r"^ref:[A-Za-z_][A-Za-z0-9_]*$"
"""An option written ``ref:NAME`` takes the value of NAME in the reference."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may consult besides its params and the answer.

    Attributes:
        reference: the trusted reference module (never shown to students).
        reveal: whether feedback may show values (a counterexample point, the
            student's own value); False for hidden checks.
        seed: seed for every random choice, so grading is reproducible.
        symbolic_seconds: hard time limit for one symbolic (sympy) stage.
        extra: free-form settings from the rubric's ``settings:`` mapping.
    """

    reference: ModuleType | None = None
    reveal: bool = True
    seed: int = 6036
    symbolic_seconds: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)


def known_kinds() -> list[str]:
    """Every registered kind name, sorted."""
    return sorted(KINDS)


def kind_module(kind: str) -> ModuleType:
    """The module implementing ``kind``; ``KeyError`` names the known kinds."""
    try:
        path = KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown check kind {kind!r}; known kinds: {', '.join(known_kinds())}") from None
    return importlib.import_module(path)


def trait(kind: str, name: str) -> Any:
    """A kind module's optional flag or hook (``STAFF_GRADED``, ``CALLED``, ...); falsy when absent."""
    return getattr(kind_module(kind), name, None)


_ATTRIBUTE = re.compile(r"^\s{4,}([a-z_][a-z0-9_, ]*):\s+(.*)$")


def _descriptions(doc: str | None) -> dict[str, str]:
    """``name: text`` lines of a Google-style ``Attributes:`` section (continuation lines joined)."""
    found: dict[str, str] = {}
    names: list[str] = []
    inside = False
    for line in (doc or "").splitlines():
        if line.strip() == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        match = _ATTRIBUTE.match(line)
        if match and line.startswith(" " * 8) and not line.startswith(" " * 12):
            names = [n.strip() for n in match.group(1).split(",")]
            for name in names:
                found[name] = match.group(2).strip()
        elif line.strip() and names:
            for name in names:
                found[name] += " " + line.strip()
        elif not line.strip() and found:
            names = []
    return found


def _or_ref(hint: Any) -> Any:
    """``hint``, or a ``ref:NAME`` string (validated once resolved, by ``Params``)."""
    from pydantic import TypeAdapter, WithJsonSchema, WrapValidator

    def passthrough(value: Any, handler: Any) -> Any:
        return value if isinstance(value, str) and re.match(REF_PATTERN, value) else handler(value)

    ref = {"type": "string", "pattern": REF_PATTERN, "description": "The value of this name in the reference."}
    schema = {"anyOf": [TypeAdapter(hint).json_schema(), ref]}
    return Annotated[hint, WrapValidator(passthrough), WithJsonSchema(schema)]


@functools.cache
def _derived_options(kind: str, module: ModuleType) -> type[BaseModel]:
    from pydantic import ConfigDict, Field, create_model

    params = module.Params
    hints = typing.get_type_hints(params, vars(module))
    about = _descriptions(params.__doc__)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(params):
        if f.name in ENGINE_FIELDS:
            continue
        default: Any = f.default
        if default is dataclasses.MISSING:
            factory: Any = f.default_factory
            default = ... if factory is dataclasses.MISSING else factory()
        fields[f.name] = (_or_ref(hints[f.name]), Field(default, description=about.get(f.name)))
    name = "".join(w.capitalize() for w in kind.split("_")) + "Options"
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, title=name)
    model: type[BaseModel] = create_model(name, __config__=config, **fields)
    return model


def options_model(kind: str) -> type[BaseModel]:
    """The typed model of a kind's ``options:``: its ``options()`` hook, else derived from its ``Params`` fields.

    A derived model takes every field but those the grader fills in
    (:data:`ENGINE_FIELDS`), with the field's default and the description
    from the ``Attributes:`` section of the ``Params`` docstring; any option
    may also be written ``ref:NAME``.
    """
    module = kind_module(kind)
    explicit = getattr(module, "options", None)
    return explicit() if explicit is not None else _derived_options(kind, module)
