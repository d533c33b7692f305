"""Check kind ``int_sequence``."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from grader.checks import CheckContext, kind_module
from grader.checks.int_sequence import Params, check
from grader.sandbox.answers import Failed, Missing, SympyText

CTX = CheckContext()
HIDDEN = CheckContext(reveal=False)
EXPECTED = (0, 0, 1, 1, 1, 0)
P = Params(EXPECTED, item_name="h")
P_ITEMS = Params(EXPECTED, per_item=True, item_name="h")


def _triple(res):
    return (res.fraction, res.status, res.feedback)


@pytest.mark.parametrize(
    "answer",
    [
        [0, 0, 1, 1, 1, 0],
        [0.0, -0.0, 1.0, 1, 1, 0],
        [Fraction(0), 0, Fraction(2, 2), 1, 1, 0],
        [SympyText("0"), 0, SympyText("1"), 1, 1, 0],
    ],
    ids=["ints", "whole-floats", "fractions", "sympy-ints"],
)
def test_accepts_right_values(answer):
    assert _triple(check(P, answer, ctx=CTX)) == (1.0, "passed", "Correct.")


def test_rejects_perturbed_values():
    res = check(P, [0, 0, 1, 1, 0, 0], ctx=CTX)
    assert _triple(res) == (0.0, "failed", "Not all values are right. The first wrong one is h_4.")
    assert _triple(check(P, [0, 0, 1, 1, 0, 0], ctx=HIDDEN)) == (0.0, "failed", "Not all values are right.")


def test_non_whole_number_is_failed_with_position():
    res = check(P, [0, 0, 0.5, 1, 1, 0], ctx=CTX)
    assert _triple(res) == (
        0.0,
        "failed",
        "Not all values are right. h_2 (0.5) is not a whole number: every value should be an integer.",
    )
    hidden = check(P, [0, 0, 0.5, 1, 1, 0], ctx=HIDDEN)
    assert "0.5" not in hidden.feedback and "h_2" in hidden.feedback


def test_per_item_partial_credit():
    res = check(P_ITEMS, [0, 0, 1, 1, 0, 1], ctx=CTX)
    assert _triple(res) == (4 / 6, "partial", "4 of 6 values are right. The first wrong one is h_4.")
    assert check(P_ITEMS, [1, 1, 0, 0, 0, 1], ctx=CTX).status == "failed"
    res = check(P_ITEMS, [0, 0, 1.5, 1, 1, 0], ctx=HIDDEN)
    assert (res.fraction, res.status) == (5 / 6, "partial")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ([0, 0, 1, 1, 1], "Expected 6 values h_0..h_5, found 5. Give exactly one int per item."),
        (
            "[0, 0, 1, 1, 1, 0]",
            "Expected a list of 6 ints h_0..h_5; found a string. "
            "Give a Python list of ints, not text (remove the quotes).",
        ),
        (
            {"h_0": 0},
            "Expected a list of 6 ints h_0..h_5; found a dict with 1 key(s). Give a Python list of ints.",
        ),
        ([0, 0, "1", 1, 1, 0], "h_2 should be an int; it is the string '1'."),
        ([0, 0, [1], 1, 1, 0], "h_2 should be an int; it is a sequence of 1 item(s)."),
        ([0, True, 1, 1, 1, 0], "h_1 should be an int; it is the bool True."),
    ],
    ids=["short", "string", "dict", "str-item", "nested", "bool-item"],
)
def test_invalid_forms(answer, feedback):
    assert _triple(check(P, answer, ctx=CTX)) == (0.0, "invalid", feedback)


def test_positions_without_item_name():
    res = check(Params([1, 2]), [1, 2, 3], ctx=CTX)
    assert res.feedback == "Expected 2 values, found 3. Give exactly one int per item."
    assert (
        check(Params([1, 2]), [1, 3], ctx=CTX).feedback
        == "Not all values are right. The first wrong one is item 2."
    )


def test_missing_and_error():
    assert _triple(check(P, Missing(), ctx=CTX)) == (
        0.0,
        "missing",
        "Not answered yet: give a list of 6 ints h_0..h_5.",
    )
    assert check(P, None, ctx=CTX).status == "missing"
    assert check(P, Failed("ValueError: bad"), ctx=CTX).status == "error"


def test_params():
    p = Params(np.array([0, 1, -1]))
    assert p.expected == (0, 1, -1) and p.length == 3
    assert Params(np.array([1.0, -0.0])).expected == (1, 0)
    with pytest.raises(ValueError):
        Params([0, 1], length=3)
    assert Params([1, 0.5]).expected == (1, 0.5)  # a known mistake may hold a fraction
    with pytest.raises(TypeError):
        Params([True, 1])
    with pytest.raises(ValueError):
        Params([float("nan")])


def test_a_mistake_with_fractional_values_matches_within_a_millionth():
    p = Params([1, -1, 0.5, 4e-44, 1])
    assert check(p, [1, -1, 0.5, 0, 1], ctx=CTX).status == "passed"
    assert check(p, [1, -1, 0.4, 0, 1], ctx=CTX).status == "failed"
    assert kind_module("int_sequence").check is check
