"""Check kind ``vector``: a fixed-length sequence of numbers, each within tolerance.

A vector may come flat, as a column ``(n, 1)`` or as a row ``(1, n)``
(see :func:`grader.tolerance.as_vector`).  Each item is compared with its own
expected value: ``|given - expected| <= max(rtol * |expected|, atol)``, so a
rubric gives a part with tiny values an ``atol`` far below them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.checks import CheckContext
from grader.checks.number import as_float, check_tolerances, screen, show, tolerance_text, within
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult
from grader.sandbox.answers import describe
from grader.tolerance import as_vector, shape_text

__all__ = ["HELP", "Params", "check", "example", "read", "read_vector", "shape"]

HELP = "a tuple, list or 1-D numpy array of numbers"


@dataclass(frozen=True, slots=True)
class Params:
    """Options of a ``vector`` check.

    Attributes:
        expected: the reference numbers, in order.
        rtol: relative tolerance per item.
        atol: absolute tolerance per item.
        per_item: give credit for each right item (else all or nothing).
    """

    expected: Any
    rtol: float = 1e-2
    atol: float = 1e-6
    per_item: bool = False

    def __post_init__(self) -> None:
        try:
            items = tuple(self.expected)
        except TypeError:
            raise ValueError(f"expected must be a sequence of numbers, got {self.expected!r}") from None
        if not items:
            raise ValueError("expected must hold at least one number")
        values = tuple(as_float(v, f"expected[{i}]") for i, v in enumerate(items))
        object.__setattr__(self, "expected", values)
        check_tolerances(self.rtol, self.atol)


def _form_problem(answer: Any, length: int) -> str:
    """Why ``answer`` is not ``length`` numbers as a flat, column or row vector, and what to write instead."""
    give = f"give {length} numbers, e.g. {example(length)}"
    if isinstance(answer, dict):
        return (f"expected {length} numbers in a list or tuple, found {describe(answer)}; "
                f"give the {length} numbers in order in a tuple, e.g. {example(length)}")
    if isinstance(answer, str):
        return (f"expected {length} numbers in a list or tuple, found {describe(answer)}; "
                f"give {length} numbers without quotes around the whole, e.g. {example(length)}")
    if not isinstance(answer, list):
        return f"expected {length} numbers in a list or tuple, found {describe(answer)}; {give}"
    if any(isinstance(item, list) for item in answer):
        shape = shape_text(answer)
        found = "a nested list" + ("" if shape == "ragged" else f" of shape {shape}")
        return (f"expected {length} numbers as a flat list, a column ({length}, 1) or a row (1, {length}), "
                f"found {found}; flatten the nested list to {length} numbers")
    return f"expected {length} numbers, found {len(answer)}; {give}"


def example(length: int) -> str:
    """An example vector of ``length`` numbers, as a tuple."""
    return "(" + ", ".join(["0.5"] * length) + ("," if length == 1 else "") + ")"


def read_vector(answer: Any, length: int) -> tuple[float, ...]:
    """Read ``length`` numbers from a decoded answer: flat ``(n,)``, column ``(n, 1)`` or row ``(1, n)``.

    Raises:
        InvalidAnswer: not such a sequence, wrong length, or an item is not a number.
    """
    items = as_vector(answer, length)
    if items is None:
        raise InvalidAnswer(_form_problem(answer, length))
    values = []
    for i, item in enumerate(items, start=1):
        try:
            values.append(to_number(item))
        except InvalidAnswer as exc:
            raise InvalidAnswer(exc.message, f"item {i}" + (f", {exc.where}" if exc.where else "")) from None
    return tuple(values)


def shape(params: Params) -> dict[str, Any]:
    """The vector's length."""
    return {"length": len(params.expected)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> tuple[float, ...]:
    """The answer as ``shape["length"]`` floats (see :func:`read_vector`)."""
    return read_vector(answer, int(shape["length"]))


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one vector answer."""
    early = screen(answer)
    if early is not None:
        return early
    n = len(params.expected)
    try:
        given = read(answer, shape(params))
    except InvalidAnswer as exc:
        where = f" ({exc.where})" if exc.where else ""
        return CheckResult.invalid(
            f"Expected {n} number(s), e.g. {example(n)}, but this could not be read: {exc.message}{where}."
        )
    wrong = [
        i
        for i, (g, e) in enumerate(zip(given, params.expected, strict=True))
        if not within(g, e, params.rtol, params.atol)
    ]
    if not wrong:
        return CheckResult.passed()
    lines = []
    for i in wrong:
        rule = tolerance_text(params.expected[i], params.rtol, params.atol)
        shown = f"your value {show(given[i])} is" if ctx.reveal else "it is"
        flipped = ctx.reveal and given[i] != 0 and within(-given[i], params.expected[i], params.rtol, params.atol)
        lines.append(f"item {i + 1}: {shown} not {rule}" + (" (check the sign)" if flipped else ""))
    message = f"{len(wrong)} of {n} item(s) are wrong: " + "; ".join(lines) + "."
    if params.per_item:
        fraction = (n - len(wrong)) / n
        if fraction > 0:
            return CheckResult(fraction, "partial", message)
    return CheckResult.failed(message)
