"""Check kind ``number``: one real number within a relative/absolute tolerance.

Also home of the small helpers the other mathematical kinds share:
:func:`screen` (missing / failed answers), :func:`within` and :func:`show`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing
from grader.tolerance import within

__all__ = [
    "HELP",
    "Params",
    "as_float",
    "check",
    "check_tolerances",
    "invalid",
    "read",
    "round_sig",
    "screen",
    "shape",
    "show",
    "tolerance_text",
    "within",
]

PLACEHOLDER = "Not answered: the value is still None (the template's placeholder)."
HELP = "a number: int, float, Fraction, or a string such as '2*log(3)/7'"


def as_float(value: Any, name: str) -> float:
    """A finite float from a trusted number (int, float, Fraction, sympy number)."""
    try:
        result = float(sympy.N(value, 20)) if isinstance(value, sympy.Basic) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(result):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return result


def check_tolerances(rtol: float, atol: float) -> None:
    if not (rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be >= 0, got rtol={rtol}, atol={atol}")


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``number`` check.

    Attributes:
        expected: the reference value (int, float, Fraction or sympy number).
        rtol: relative tolerance.
        atol: absolute tolerance (floor for values near 0).
        sig_figs: when set, compare both values rounded to this many
            significant figures instead of using the tolerances.
    """

    expected: Any
    rtol: float = 1e-2
    atol: float = 1e-6
    sig_figs: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", as_float(self.expected, "expected"))
        check_tolerances(self.rtol, self.atol)
        if self.sig_figs is not None and (isinstance(self.sig_figs, bool) or int(self.sig_figs) < 1):
            raise ValueError(f"sig_figs must be a positive integer, got {self.sig_figs!r}")


def shape(params: Params) -> dict[str, Any]:
    """A number has no public shape."""
    return {}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> float:
    """The answer as a float; ``InvalidAnswer`` when it is not a number."""
    return to_number(answer)


def screen(answer: Any) -> CheckResult | None:
    """The verdict for an answer that is not there or failed, else ``None``."""
    if isinstance(answer, Missing):
        return CheckResult(0.0, "missing", f"Not answered: the name is {answer.reason}.")
    if answer is None:
        return CheckResult(0.0, "missing", PLACEHOLDER)
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", answer.message)
    return None


def invalid(exc: InvalidAnswer, expected_kind: str) -> CheckResult:
    """An ``invalid`` result that says what was expected and what went wrong."""
    where = f" ({exc.where})" if exc.where else ""
    return CheckResult.invalid(f"Expected {expected_kind}, but this could not be read: {exc.message}{where}.")


def round_sig(value: float, sig_figs: int) -> float:
    """``value`` rounded to ``sig_figs`` significant figures."""
    if value == 0:
        return 0.0
    digits = sig_figs - 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def show(value: float) -> str:
    """A short display of a number for feedback."""
    return f"{value:.6g}"


def tolerance_text(expected: float, rtol: float, atol: float) -> str:
    """How close an answer must be, in words, without the expected value."""
    if rtol * abs(expected) >= atol:
        return f"within {rtol * 100:g}% of the expected value"
    return f"within {atol:g} of the expected value"


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one number answer."""
    early = screen(answer)
    if early is not None:
        return early
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        return invalid(exc, "a number (int, float, or text such as '1/(1+exp(-15))')")
    if params.sig_figs is not None:
        ok = round_sig(given, params.sig_figs) == round_sig(params.expected, params.sig_figs)
        rule = f"to {params.sig_figs} significant figures"
    else:
        ok = within(given, params.expected, params.rtol, params.atol)
        rule = tolerance_text(params.expected, params.rtol, params.atol)
    if ok:
        return CheckResult.passed()
    message = f"Your value {show(given)} is not {rule}." if ctx.reveal else f"Your value is not {rule}."
    if ctx.reveal and given != 0 and within(-given, params.expected, params.rtol, params.atol):
        message += " Check the sign."
    return CheckResult.failed(message)
