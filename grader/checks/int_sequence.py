"""Check kind ``int_sequence``: a list of integers of a fixed length, e.g. ``h_0..h_5``.

Items may be ints, whole-number floats (``1.0``, ``-0.0``), fractions with
denominator 1 or sympy integers; numpy arrays arrive as lists.  A
non-whole number such as ``0.5`` is a wrong value (``failed``, with its
position), not a format error; a wrong length or a non-number item is
``invalid``.  Feedback never shows the expected values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from grader.checks import CheckContext
from grader.errors import InvalidAnswer
from grader.results import CheckResult
from grader.sandbox.answers import Failed, Missing, SympyText, describe

__all__ = ["HELP", "Params", "check", "read", "shape"]

HELP = "a list of integers"

_INT_TEXT = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class Params:
    """Options of an ``int_sequence`` check.

    Attributes:
        expected: the right integers, in order.
        length: the required length; defaults to ``len(expected)``.
        per_item: award the share of right items (status ``partial``).
        item_name: symbol naming the items in feedback: ``"h"`` gives
            ``h_0..h_5``; empty names them by position.
    """

    expected: tuple[int | float, ...]
    length: int | None = None
    per_item: bool = False
    item_name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.expected, (str, bytes)):
            raise TypeError("expected must be a sequence of ints")
        values = tuple(_whole(v) for v in self.expected)
        object.__setattr__(self, "expected", values)
        if self.length is None:
            object.__setattr__(self, "length", len(values))
        if self.length != len(values):
            raise ValueError(f"length {self.length} differs from the {len(values)} expected values")


def _whole(value: Any) -> int | float:
    """An expected item: an int when whole, else a float (a known mistake may hold 0.5)."""
    if isinstance(value, bool):
        raise TypeError("expected items must be numbers, not bools")
    if isinstance(value, int):
        return value
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("expected items must be finite")
    return int(number) if number.is_integer() else number


def _same(given: int | float, expected: int | float) -> bool:
    if isinstance(expected, int):
        return isinstance(given, int) and given == expected
    return abs(given - expected) <= 1e-6


def _label(params: Params, i: int) -> str:
    return f"{params.item_name}_{i}" if params.item_name else f"item {i + 1}"


def _names(params: Params) -> str:
    if not params.item_name or not params.length:
        return ""
    return f" {params.item_name}_0..{params.item_name}_{params.length - 1}"


def _as_int(item: Any) -> int | float | None:
    """The item as an int, the float itself when not whole, or None when not a number."""
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    if isinstance(item, float):
        return int(item) if math.isfinite(item) and item.is_integer() else item
    if isinstance(item, Fraction):
        return int(item) if item.denominator == 1 else float(item)
    if isinstance(item, SympyText) and _INT_TEXT.fullmatch(item.text.strip()):
        return int(item.text)
    return None


def shape(params: Params) -> dict[str, Any]:
    """The number of items."""
    return {"length": int(params.length or 0)}


def read(answer: Any, shape: dict[str, Any], *, strict: bool = False) -> list[int | float]:
    """The items as ints (a non-whole number stays a float: a wrong value, refused only when ``strict``)."""
    n = int(shape["length"])
    if not isinstance(answer, list):
        raise InvalidAnswer(f"expected a list of {n} ints; found {describe(answer)}")
    if len(answer) != n:
        raise InvalidAnswer(f"expected {n} values; found {len(answer)}")
    values = []
    for i, item in enumerate(answer):
        value = _as_int(item)
        if value is None or (strict and isinstance(value, float)):
            raise InvalidAnswer(f"item {i + 1} should be an int; it is {describe(item)}")
        values.append(value)
    return values


def check(params: Params, answer: Any, *, ctx: CheckContext) -> CheckResult:
    """Judge ``answer`` against ``params``; see the module docstring."""
    n = params.length or 0
    if isinstance(answer, Missing) or answer is None:
        return CheckResult(0.0, "missing", f"Not answered yet: give a list of {n} ints{_names(params)}.")
    if isinstance(answer, Failed):
        return CheckResult(0.0, "error", f"Your answer could not be evaluated: {answer.message}")
    try:
        values = read(answer, shape(params))
    except InvalidAnswer:
        return _invalid(params, answer, ctx)
    return _judge(params, values, ctx)


def _invalid(params: Params, answer: Any, ctx: CheckContext) -> CheckResult:
    """Why :func:`read` refused the answer, worded for grading feedback."""
    n = params.length or 0
    kind = f"a list of {n} ints{_names(params)}"
    if isinstance(answer, str):
        return CheckResult.invalid(
            f"Expected {kind}; found a string. Give a Python list of ints, not text (remove the quotes)."
        )
    if not isinstance(answer, list):
        return CheckResult.invalid(f"Expected {kind}; found {describe(answer)}. Give a Python list of ints.")
    if len(answer) != n:
        return CheckResult.invalid(
            f"Expected {n} values{_names(params)}, found {len(answer)}. Give exactly one int per item."
        )
    i, item = next((i, item) for i, item in enumerate(answer) if _as_int(item) is None)
    found = describe(item) if ctx.reveal else "not a number"
    return CheckResult.invalid(f"{_label(params, i)} should be an int; it is {found}.")


def _judge(params: Params, values: list[int | float], ctx: CheckContext) -> CheckResult:
    n = len(values)
    fractional = [i for i, v in enumerate(values) if isinstance(v, float)]
    right = sum(1 for v, e in zip(values, params.expected, strict=True) if _same(v, e))
    if right == n:
        return CheckResult.passed()
    notes = []
    if fractional:
        i = fractional[0]
        shown = f" ({values[i]!r})" if ctx.reveal else ""
        notes.append(f"{_label(params, i)}{shown} is not a whole number: every value should be an integer.")
    summary = f"{right} of {n} values are right." if params.per_item else "Not all values are right."
    if ctx.reveal and not fractional:
        wrong = next(i for i, (v, e) in enumerate(zip(values, params.expected, strict=True)) if not _same(v, e))
        notes.append(f"The first wrong one is {_label(params, wrong)}.")
    feedback = " ".join([summary, *notes])
    if params.per_item and right:
        return CheckResult(right / n, "partial", feedback)
    return CheckResult.failed(feedback)
