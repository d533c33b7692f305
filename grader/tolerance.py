"""Numeric closeness, for single numbers and for nested structures of them.

Also the one rule for vector shapes: 6.036 writes vectors as columns, so a
flat list, a column ``(n, 1)`` and a row ``(1, n)`` are the same vector of
``n`` numbers; any other nesting is a different shape.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["as_plain", "as_vector", "first_difference", "shape_text", "within"]


def within(given: float, expected: float, rtol: float, atol: float) -> bool:
    """``|given - expected| <= max(rtol * |expected|, atol)``; NaN never passes."""
    if not (math.isfinite(given) and math.isfinite(expected)):
        return given == expected
    return abs(given - expected) <= max(rtol * abs(expected), atol)


def as_plain(value: Any) -> Any:
    """Numpy arrays and tuples as nested lists, numpy scalars as Python numbers."""
    if isinstance(value, np.ndarray):
        return [as_plain(v) for v in value.tolist()] if value.ndim else value.item()
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def as_vector(value: Any, n: int) -> list[Any] | None:
    """The ``n`` items of a flat ``(n,)``, column ``(n, 1)`` or row ``(1, n)`` sequence, else None.

    Items are returned as they are (not read as numbers); a flat sequence
    whose items are not sequences counts as flat whatever the items are.
    """
    if not _is_sequence(value):
        return None
    items = list(value)
    if len(items) == n and not any(_is_sequence(v) for v in items):
        return items
    if len(items) == n and all(_is_sequence(v) and len(v) == 1 and not _is_sequence(v[0]) for v in items):
        return [v[0] for v in items]
    if len(items) == 1 and _is_sequence(items[0]) and len(items[0]) == n:
        row = list(items[0])
        if not any(_is_sequence(v) for v in row):
            return row
    return None


def shape_text(value: Any) -> str:
    """The shape of a nested sequence, e.g. ``"(2, 2)"``, or ``"ragged"`` when rows differ in length."""
    if not _is_sequence(value):
        return "()"
    shape = [len(value)]
    level = list(value)
    while level and all(_is_sequence(v) for v in level):
        lengths = {len(v) for v in level}
        if len(lengths) != 1:
            return "ragged"
        shape.append(lengths.pop())
        level = [w for v in level for w in v]
    if any(_is_sequence(v) for v in level):
        return "ragged"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)


def first_difference(given: Any, expected: Any, rtol: float, atol: float, where: str = "") -> str | None:
    """Describe the first place where two nested numeric structures differ, or None.

    ``expected`` comes from the reference (numbers, lists, tuples, arrays);
    ``given`` is a decoded student value.  Where the reference has a flat
    vector of ``n`` numbers, a column ``(n, 1)`` or row ``(1, n)`` is the same
    vector; any other shape is wrong.  The description names the position
    (``"item [1][0]"``) and what was found there, never the expected value.
    """
    expected = as_plain(expected)
    label = f"item {where}" if where else "the result"
    if isinstance(expected, list):
        if not isinstance(given, list):
            return f"{label} should be a sequence of {len(expected)} values"
        if expected and all(_is_number(e) for e in expected):
            flat = as_vector(given, len(expected))
            if flat is None and any(_is_sequence(g) for g in given):
                return (f"{label} should be a vector of {len(expected)} numbers (shape ({len(expected)},), "
                        f"({len(expected)}, 1) or (1, {len(expected)})), found shape {shape_text(given)}")
            given = flat if flat is not None else given
        elif expected and all(isinstance(e, list) for e in expected) and not any(_is_sequence(g) for g in given):
            shape = shape_text(expected)
            return f"{label} should be a matrix of shape {shape}, found a flat list of {len(given)} values"
        if len(given) != len(expected):
            return f"{label} has {len(given)} values; {len(expected)} were expected"
        for i, (g, e) in enumerate(zip(given, expected, strict=True)):
            diff = first_difference(g, e, rtol, atol, f"{where}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(expected, bool):
        return None if given is expected else f"{label} is {given!r}"
    if _is_number(expected):
        if not _is_number(given):
            return f"{label} should be a number, found {type(given).__name__}"
        value = float(given)
        if not math.isfinite(value):
            return f"{label} is {value} (not a finite number)"
        if not within(value, float(expected), rtol, atol):
            return f"{label} is {value:.6g}, not the right value (tolerance: {rtol:g} relative, {atol:g} absolute)"
        return None
    return None if given == expected else f"{label} is {given!r}"
