"""Check kinds: one module per kind, one signature, a plain registry.

Every kind module exports:

* ``Params`` -- a frozen dataclass.  The grader builds it as
  ``Params(expected=<value from the reference>, **options)`` where ``options``
  is the check's ``options:`` mapping in the rubric; a bad option is a
  ``TypeError``/``ValueError`` that the rubric loader reports with its path.
* ``check(params, answer, *, ctx) -> CheckResult`` -- a pure judgement of one
  decoded answer (see ``grader.answers``) against ``params``.

and optionally:

* ``plan(params, *, ctx) -> list[Case]`` -- the calls of the student's
  function this kind needs; the grader runs them in the sandbox and passes a
  ``FunctionAnswer`` to ``check``.
* ``EXPECTS_CALLABLE = True`` -- the reference name in ``expected:`` is passed
  as the function itself instead of being called for a value.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

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
    "lstm_params": "grader.checks.lstm_params",
    "function": "grader.checks.function",
    "text": "grader.checks.text",
}


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


def kind_module(kind: str) -> ModuleType:
    """The module implementing ``kind``; ``KeyError`` names the known kinds."""
    try:
        path = KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise KeyError(f"unknown check kind {kind!r}; known kinds: {known}") from None
    return importlib.import_module(path)
