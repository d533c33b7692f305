"""Time-limited symbolic work in a forked child."""

from __future__ import annotations

import time

import pytest
import sympy

from grader.symbolic import SymbolicFailure, TimedOut, run_with_time_limit


def _simplify(expr):
    return sympy.simplify(expr)


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _raise():
    raise ValueError("bad input")


def test_returns_sympy_result():
    z = sympy.Symbol("z", real=True)
    sig = 1 / (1 + sympy.exp(-z))
    result = run_with_time_limit(_simplify, sympy.diff(sig, z) - sig * (1 - sig), seconds=10)
    assert result == 0


def test_times_out_fast_and_kills_child():
    start = time.perf_counter()
    result = run_with_time_limit(_sleep, 30, seconds=0.3)
    assert result == TimedOut(0.3)
    assert time.perf_counter() - start < 2


def test_exception_in_child_is_reported():
    with pytest.raises(SymbolicFailure, match="ValueError: bad input"):
        run_with_time_limit(_raise, seconds=10)


def test_unpicklable_result_is_reported():
    with pytest.raises(SymbolicFailure, match="PicklingError|AttributeError|TypeError"):
        run_with_time_limit(lambda: (lambda: 0), seconds=10)
