"""What a student's answer looks like once it has crossed the sandbox boundary.

The child process encodes every value as tagged JSON (see
``grader.sandbox.wire``); ``decode`` turns it into these plain values:

* ``None``, ``bool``, ``int``, ``float`` (NaN and infinities included),
  ``str``, ``list`` (tuples and arrays too), ``dict`` and
  ``fractions.Fraction``;
* :class:`SympyText` for a sympy object (its ``str`` form, to be parsed by the
  allow-list parser in ``grader.expr``);
* :class:`FunctionRef` for a function the student defined;
* :class:`Opaque` for any other object (type name and a capped repr);
* :class:`Missing` when the name is not defined, :class:`Failed` when
  evaluating it raised or timed out.

No student object ever reaches the grader: only these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallOutcome", "Failed", "FunctionAnswer", "FunctionRef", "Missing", "Opaque", "SympyText", "describe"]


@dataclass(frozen=True, slots=True)
class SympyText:
    """A sympy object, as the text sympy prints for it (``str(expr)``)."""

    text: str


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A callable the student defined; calls go through the sandbox."""

    name: str
    signature: str = ""


@dataclass(frozen=True, slots=True)
class Opaque:
    """An object of a type the wire format does not carry."""

    type_name: str
    repr: str = ""


@dataclass(frozen=True, slots=True)
class Missing:
    """The submission does not define the name."""

    reason: str = "not defined"


@dataclass(frozen=True, slots=True)
class Failed:
    """Evaluating or calling raised an exception or ran out of time."""

    message: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """The result of one call of a student function, made in the sandbox.

    ``value`` is a decoded value (see module docstring) or ``Failed``.
    ``seconds`` is the wall time the call took in the child.
    """

    value: Any
    seconds: float = 0.0
    output: str = ""


@dataclass(frozen=True, slots=True)
class FunctionAnswer:
    """A student function together with the outcomes of the planned calls."""

    ref: FunctionRef
    outcomes: tuple[CallOutcome, ...] = field(default_factory=tuple)


def describe(value: Any) -> str:
    """Say in plain words what kind of value a student gave."""
    if isinstance(value, Missing):
        return "nothing (the name is not defined)"
    if isinstance(value, Failed):
        return "an error: " + value.message
    if value is None:
        return "None (the template's placeholder)"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, int):
        return f"the int {value}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return f"a sequence of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"a dict with {len(value)} key(s)"
    if isinstance(value, SympyText):
        return f"the sympy object {value.text}"
    if isinstance(value, (FunctionRef, FunctionAnswer)):
        return "a function"
    if isinstance(value, Opaque):
        detail = f" ({value.repr[:80]})" if value.repr else ""
        return f"an object of type {value.type_name}{detail}"
    return f"a value of type {type(value).__name__}"
