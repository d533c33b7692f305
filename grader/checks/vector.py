"""Check kind ``vector``: a fixed-length sequence of numbers, each within tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.answers import describe
from grader.checks import CheckContext
from grader.checks.number import as_float, check_tolerances, screen, show, tolerance_text, within
from grader.errors import InvalidAnswer
from grader.expr import to_number
from grader.results import CheckResult

__all__ = ["Params", "check", "read_vector"]


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


def read_vector(answer: Any, length: int) -> tuple[float, ...]:
    """Read ``length`` numbers from a decoded answer.

    Raises:
        InvalidAnswer: not a sequence, wrong length, or an item is not a number.
    """
    if not isinstance(answer, list | tuple):
        raise InvalidAnswer(f"expected {length} numbers in a list or tuple, found {describe(answer)}")
    if len(answer) != length:
        raise InvalidAnswer(f"expected {length} numbers, found {len(answer)}")
    values = []
    for i, item in enumerate(answer, start=1):
        try:
            values.append(to_number(item))
        except InvalidAnswer as exc:
            raise InvalidAnswer(exc.message, f"item {i}" + (f", {exc.where}" if exc.where else "")) from None
    return tuple(values)


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge one vector answer."""
    early = screen(answer)
    if early is not None:
        return early
    n = len(params.expected)
    try:
        given = read_vector(answer, n)
    except InvalidAnswer as exc:
        where = f" ({exc.where})" if exc.where else ""
        example = "(" + ", ".join(["0.5"] * n) + ("," if n == 1 else "") + ")"
        return CheckResult.invalid(
            f"Expected {n} number(s), e.g. {example}, but this could not be read: {exc.message}{where}."
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
        lines.append(f"item {i + 1}: {shown} not {rule}")
    message = f"{len(wrong)} of {n} item(s) are wrong: " + "; ".join(lines) + "."
    if params.per_item:
        fraction = (n - len(wrong)) / n
        if fraction > 0:
            return CheckResult(fraction, "partial", message)
    return CheckResult.failed(message)
