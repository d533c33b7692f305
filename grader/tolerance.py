"""Numeric closeness, for single numbers and for nested structures of them."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["as_plain", "first_difference", "within"]


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)


def first_difference(given: Any, expected: Any, rtol: float, atol: float, where: str = "") -> str | None:
    """Describe the first place where two nested numeric structures differ, or None.

    ``expected`` comes from the reference (numbers, lists, tuples, arrays);
    ``given`` is a decoded student value.  The description names the position
    (``"item [1][0]"``) and what was found there, never the expected value.
    """
    expected = as_plain(expected)
    label = f"item {where}" if where else "the result"
    if isinstance(expected, list):
        if not isinstance(given, list):
            return f"{label} should be a sequence of {len(expected)} values"
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
