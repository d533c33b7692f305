"""Check kind ``vector``."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.checks import CheckContext
from grader.checks.vector import Params, check
from grader.sandbox.answers import Missing

CTX = CheckContext()
INTRO = "Expected 2 number(s), e.g. (0.5, 0.5), but this could not be read: "
P = Params((0.5, 1 / (1 + 2.718281828459045)))


@pytest.mark.parametrize(
    "answer",
    [[0.5, 0.2689], (0.5, 0.27), ["1/2", "1/(1+exp(1))"], [0.501, "sigma(-1)"]],
    ids=["list", "tuple", "strings", "mixed"],
)
def test_accepts(answer):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (1.0, "passed", "Correct.")


def test_rejects_perturbed_item():
    res = check(P, [0.5, 0.3], ctx=CTX)
    assert (res.fraction, res.status) == (0.0, "failed")
    assert res.feedback == (
        "1 of 2 item(s) are wrong: item 2: your value 0.3 is not within 1% of the expected value.")


def test_hidden_does_not_show_values():
    res = check(P, [0.5, 0.3], ctx=CheckContext(reveal=False))
    assert res.feedback == "1 of 2 item(s) are wrong: item 2: it is not within 1% of the expected value."


def test_per_item_partial_credit():
    p = Params((1.0, 2.0, 3.0, 4.0), per_item=True)
    res = check(p, [1, 2, 3, 5], ctx=CTX)
    assert (res.fraction, res.status) == (0.75, "partial")
    assert check(p, [0, 0, 0, 0], ctx=CTX).status == "failed"


@pytest.mark.parametrize(
    "answer",
    [[[0.5], [0.2689]], [[0.5, 0.2689]], [["1/2"], ["1/(1+exp(1))"]], [[Fraction(1, 2)], [0.27]]],
    ids=["column", "row", "column_strings", "column_fraction"],
)
def test_columns_and_rows_are_the_same_vector(answer):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (1.0, "passed", "Correct.")


def test_a_column_with_a_wrong_item_is_judged_item_by_item():
    res = check(P, [[0.5], [0.3]], ctx=CTX)
    assert res.feedback == "1 of 2 item(s) are wrong: item 2: your value 0.3 is not within 1% of the expected value."


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ([1, 2, 3], INTRO + "expected 2 numbers, found 3; give 2 numbers, e.g. (0.5, 0.5)."),
        (0.5, INTRO + "expected 2 numbers in a list or tuple, found the float 0.5; give 2 numbers, e.g. (0.5, 0.5)."),
        ([0.5, "abc"], INTRO + "unknown name 'abc'; "
         "this answer must be a constant (numbers, pi, e and functions such as exp, log, sqrt) "
         "(item 2, at character 1)."),
        ([0.5, True], INTRO + "a bool is not a number "
         "(found the bool True) (item 2)."),
        ([[0.5, 0.2], [0.1, 0.3]], INTRO + "expected 2 numbers as a flat list, a column (2, 1) or a row (1, 2), "
         "found a nested list of shape (2, 2); flatten the nested list to 2 numbers."),
        ([[0.5], 0.2], INTRO + "expected 2 numbers as a flat list, a column (2, 1) or a row (1, 2), "
         "found a nested list; flatten the nested list to 2 numbers."),
        ([[[0.5], [0.2]]], INTRO + "expected 2 numbers as a flat list, a column (2, 1) or a row (1, 2), "
         "found a nested list of shape (1, 2, 1); flatten the nested list to 2 numbers."),
        ({"o1": 0.5, "o2": 0.2}, INTRO + "expected 2 numbers in a list or tuple, found a dict with 2 key(s); "
         "give the 2 numbers in order in a tuple, e.g. (0.5, 0.5)."),
        ("(0.5, 0.2)", INTRO + "expected 2 numbers in a list or tuple, found the string '(0.5, 0.2)'; "
         "give 2 numbers without quotes around the whole, e.g. (0.5, 0.5)."),
    ],
    ids=["length", "scalar", "bad_item", "bool_item", "matrix", "ragged", "three_dims", "dict", "string"],
)
def test_invalid_shapes(answer, feedback):
    res = check(P, answer, ctx=CTX)
    assert (res.status, res.feedback) == ("invalid", feedback)


def test_a_flipped_sign_is_named():
    res = check(P, [0.5, -0.2689], ctx=CTX)
    assert res.feedback == ("1 of 2 item(s) are wrong: item 2: your value -0.2689 is not within 1% of the expected "
                            "value (check the sign).")
    hidden = check(P, [0.5, -0.2689], ctx=CheckContext(reveal=False))
    assert hidden.feedback == "1 of 2 item(s) are wrong: item 2: it is not within 1% of the expected value."


TINY = Params((0.999999694097773, 3.059022269256247e-07), atol=1e-12)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ((0.9999997, 3.059e-7), "passed"),
        ((1, "1/(1+exp(15))"), "passed"),
        ((1.0, 3.06e-7), "passed"),
        ((0.9999997, -3.059e-7), "failed"),
        ((0.9999997, 3.059e-6), "failed"),
        ((0.9999997, 3.059e-8), "failed"),
        ((0.9999997, 0.0), "failed"),
        ((0.9999997, 3.2e-7), "failed"),
    ],
    ids=["right", "exact_string", "rounded_o1", "sign", "ten_times", "tenth", "zero", "five_percent"],
)
def test_a_tiny_item_is_compared_relative_to_itself(answer, status):
    assert check(TINY, list(answer), ctx=CTX).status == status


def test_missing():
    assert check(P, Missing(), ctx=CTX).status == "missing"
