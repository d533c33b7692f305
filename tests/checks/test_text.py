"""Check kind ``text``: never auto-graded."""

from __future__ import annotations

import pytest

from grader.checks import CheckContext, kind_module
from grader.checks.text import Params, check
from grader.sandbox.answers import Failed, Missing

CTX = CheckContext()


def _triple(res):
    return (res.fraction, res.status, res.feedback)


def test_present_text_is_kept_for_staff():
    res = check(Params(), "  h_t counts the ones seen so far.  ", ctx=CTX)
    assert _triple(res) == (0.0, "manual", "Kept for staff grading (32 characters).")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (Missing(), "Not answered yet: write your answer as a string."),
        (None, "Not answered yet: write your answer as a string."),
        ("   ", "Not answered yet: the string is empty."),
        (42, "Expected your answer as a string; found the int 42. Put it in quotes."),
    ],
    ids=["missing", "none", "blank", "int"],
)
def test_missing_forms(answer, feedback):
    assert _triple(check(Params(), answer, ctx=CTX)) == (0.0, "missing", feedback)


def test_min_chars_and_error():
    res = check(Params(min_chars=10), "short", ctx=CTX)
    assert _triple(res) == (0.0, "missing", "The answer is too short (5 characters; at least 10 expected).")
    assert check(Params(min_chars=5), "short", ctx=CTX).status == "manual"
    assert check(Params(), Failed("boom"), ctx=CTX).status == "error"
    with pytest.raises(ValueError):
        Params(min_chars=0)
    assert kind_module("text").check is check
