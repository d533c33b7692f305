"""Check kind ``choice``."""

from __future__ import annotations

import pytest

from grader.checks import CheckContext, kind_module
from grader.checks.choice import Params, check
from grader.sandbox.answers import Failed, Missing

CTX = CheckContext()
P = Params("grows", ("grows", "shrinks", "unchanged"))
LISTING = '"grows", "shrinks", "unchanged"'
EXPECTED = f"Expected one of the strings {LISTING};"


@pytest.mark.parametrize("answer", ["grows", "GROWS", "  Grows \n"], ids=["exact", "upper", "spaces"])
def test_accepts_right_choice(answer):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (1.0, "passed", "Correct.")


def test_rejects_other_choice_without_naming_the_answer():
    res = check(P, "shrinks", ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, "failed", "Not the right choice.")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (
            "grow",
            f"{EXPECTED} found the string 'grow'. Use one of the listed words exactly.",
        ),
        (
            1,
            f"{EXPECTED} found the int 1. Write the choice as a string in quotes.",
        ),
        (
            ["grows"],
            f"{EXPECTED} found a sequence of 1 item(s). Write the choice as a string in quotes.",
        ),
    ],
    ids=["unknown-word", "int", "list"],
)
def test_invalid_forms(answer, feedback):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, "invalid", feedback)


def test_hidden_check_does_not_echo_the_value():
    res = check(P, "grow", ctx=CheckContext(reveal=False))
    assert res.status == "invalid" and "'grow'" not in res.feedback


@pytest.mark.parametrize("answer", [Missing(), None])
def test_missing(answer):
    res = check(P, answer, ctx=CTX)
    assert (res.status, res.feedback) == ("missing", f"Not answered yet: give one of the strings {LISTING}.")


def test_error():
    res = check(P, Failed("NameError: name 'x' is not defined"), ctx=CTX)
    assert (res.status, res.feedback) == (
        "error",
        "Your answer could not be evaluated: NameError: name 'x' is not defined",
    )


def test_params_validation_and_registry():
    assert Params("Grows", ["grows", "shrinks"]).choices == ("grows", "shrinks")
    with pytest.raises(ValueError):
        Params("bigger", ("grows", "shrinks"))
    with pytest.raises(ValueError):
        Params("grows", ())
    with pytest.raises(TypeError):
        Params("grows", "grows")
    assert kind_module("choice").check is check
