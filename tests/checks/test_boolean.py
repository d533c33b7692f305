"""Check kind ``bool``."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CheckContext, kind_module
from grader.checks.boolean import Params, check
from grader.sandbox.answers import Failed, Missing

CTX = CheckContext()
HINT = "Write True or False (a Python bool, without quotes)."
QUOTED = "A quoted word is a string, not a bool."


def _triple(res):
    return (res.fraction, res.status, res.feedback)


def test_accepts_right_and_rejects_wrong():
    assert _triple(check(Params(False), False, ctx=CTX)) == (1.0, "passed", "Correct.")
    assert _triple(check(Params(True), True, ctx=CTX)) == (1.0, "passed", "Correct.")
    assert _triple(check(Params(False), True, ctx=CTX)) == (0.0, "failed", "Not correct.")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (0, f"Expected True or False; found the int 0. {HINT} 0 and 1 are numbers, not bools."),
        (1, f"Expected True or False; found the int 1. {HINT} 0 and 1 are numbers, not bools."),
        (
            "False",
            f"Expected True or False; found the string 'False'. {HINT} {QUOTED}",
        ),
        (
            " true ",
            f"Expected True or False; found the string ' true '. {HINT} {QUOTED}",
        ),
        ("no", f"Expected True or False; found the string 'no'. {HINT}"),
        (2.0, f"Expected True or False; found the float 2.0. {HINT}"),
    ],
    ids=["int0", "int1", "str-False", "str-true", "str-no", "float"],
)
def test_invalid_forms(answer, feedback):
    assert _triple(check(Params(False), answer, ctx=CTX)) == (0.0, "invalid", feedback)


def test_hidden_check_does_not_echo_the_value():
    res = check(Params(False), 1, ctx=CheckContext(reveal=False))
    assert res.status == "invalid" and "int 1" not in res.feedback


def test_missing_and_error():
    assert _triple(check(Params(True), Missing(), ctx=CTX)) == (0.0, "missing", f"Not answered yet. {HINT}")
    assert check(Params(True), None, ctx=CTX).status == "missing"
    res = check(Params(True), Failed("timed out after 2 s", timed_out=True), ctx=CTX)
    assert _triple(res) == (0.0, "error", "Your answer could not be evaluated: timed out after 2 s")


def test_params():
    assert Params(np.bool_(True)).expected is True
    with pytest.raises(TypeError):
        Params(1)
    assert kind_module("bool").check is check
