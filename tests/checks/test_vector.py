"""Check kind ``vector``."""

from __future__ import annotations

import pytest

from grader.answers import Missing
from grader.checks import CheckContext
from grader.checks.vector import Params, check

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
    ("answer", "feedback"),
    [
        ([1, 2, 3], INTRO + "expected 2 numbers, found 3."),
        (0.5, INTRO + "expected 2 numbers in a list "
         "or tuple, found the float 0.5."),
        ([0.5, "abc"], INTRO + "unknown name 'abc'; "
         "this answer must be a constant (numbers, pi, e and functions such as exp, log, sqrt) "
         "(item 2, at character 1)."),
        ([0.5, True], INTRO + "a bool is not a number "
         "(found the bool True) (item 2)."),
    ],
    ids=["length", "scalar", "bad_item", "bool_item"],
)
def test_invalid_shapes(answer, feedback):
    res = check(P, answer, ctx=CTX)
    assert (res.status, res.feedback) == ("invalid", feedback)


def test_missing():
    assert check(P, Missing(), ctx=CTX).status == "missing"
