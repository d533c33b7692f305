"""Check kind ``number``."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from grader.checks import CheckContext
from grader.checks.number import Params, check
from grader.sandbox.answers import Failed, Missing, SympyText
from reference import hw4_p3 as ref

CTX = CheckContext()
HIDDEN = CheckContext(reveal=False)
P = Params(1 / (1 + sympy.exp(-15)))


@pytest.mark.parametrize(
    "answer",
    [0.9999997, 1, "1/(1+exp(-15))", "sigma(15)", SympyText("1/(exp(-15) + 1)"), Fraction(999, 1000),
     "0.995"],
    ids=["float", "int", "text", "sigma_text", "sympy_text", "fraction", "within_1pct"],
)
def test_accepts_values_within_tolerance(answer):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (1.0, "passed", "Correct.")


def test_rejects_perturbed_value_showing_only_the_students_value():
    res = check(P, 0.98, ctx=CTX)
    assert (res.fraction, res.status) == (0.0, "failed")
    assert res.feedback == "Your value 0.98 is not within 1% of the expected value."


def test_hidden_check_does_not_show_values():
    res = check(P, 0.98, ctx=HIDDEN)
    assert res.feedback == "Your value is not within 1% of the expected value."


def test_sign_hint():
    res = check(Params(11.39), -11.39, ctx=CTX)
    assert res.feedback == "Your value -11.39 is not within 1% of the expected value. Check the sign."


def test_atol_near_zero():
    p = Params(0.0)
    assert check(p, 5e-7, ctx=CTX).status == "passed"
    res = check(p, 1e-5, ctx=CTX)
    assert (res.status, res.feedback) == (
        "failed", "Your value 1e-05 is not within 1e-06 of the expected value.")


def test_sig_figs():
    p = Params(0.012345, sig_figs=3)
    assert check(p, 0.01234, ctx=CTX).status == "passed"
    res = check(p, 0.01236, ctx=CTX)
    assert (res.status, res.feedback) == ("failed", "Your value 0.01236 is not to 3 significant figures.")


@pytest.mark.parametrize(
    ("answer", "status", "feedback"),
    [
        (Missing(), "missing", "Not answered: the name is not defined."),
        (None, "missing", "Not answered: the value is still None (the template's placeholder)."),
        (Failed("ZeroDivisionError: division by zero (line 3)"), "error",
         "ZeroDivisionError: division by zero (line 3)"),
        (True, "invalid", "Expected a number (int, float, or text such as '1/(1+exp(-15))'), but this could "
         "not be read: a bool is not a number (found the bool True)."),
        ("1/(1+exp(-y))", "invalid", "Expected a number (int, float, or text such as '1/(1+exp(-15))'), but "
         "this could not be read: unknown name 'y'; this answer must be a constant (numbers, pi, e and "
         "functions such as exp, log, sqrt) (at character 11)."),
        (float("nan"), "invalid", "Expected a number (int, float, or text such as '1/(1+exp(-15))'), "
         "but this could not be read: expected a finite number, found nan."),
    ],
    ids=["missing", "none", "failed", "bool", "unknown_name", "nan"],
)
def test_non_answers(answer, status, feedback):
    res = check(P, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, status, feedback)


def test_bad_params_raise():
    with pytest.raises(ValueError):
        Params(float("inf"))
    with pytest.raises(ValueError):
        Params(1.0, rtol=-1)
    with pytest.raises(ValueError):
        Params(1.0, sig_figs=0)


DW2 = Params(ref.p3d_dC_dw2())


@pytest.mark.parametrize(
    "answer",
    ["\u22120.0041618", "\u22124.16e\u22123", "\u22124.16\u00d710\u207b\u00b3", "-4.16*10^-3", "\u2212 0.00416",
     "\uff0d0.0041618", Fraction(-1, 240), SympyText("-0.00416183312434091"), -0.0041618],
    ids=["unicode_minus", "unicode_exponent", "times_ten_superscript", "caret", "spaced", "fullwidth_minus",
         "fraction", "sympy_float", "float"],
)
def test_accepts_pasted_numbers(answer):
    res = check(DW2, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (1.0, "passed", "Correct.")


NUMBER_INTRO = "Expected a number (int, float, or text such as '1/(1+exp(-15))'), but this could not be read: "


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ("\u22120,0041618", "write a decimal point, not a comma: -0.0041618 instead of -0,0041618."),
        ([-0.0041618], "expected a number, found a sequence of 1 item(s); give the item itself, not a list "
         "holding it (flatten the nested list)."),
        ("\u22124.16 x 10^\u22123", "this is not a valid expression: write * for times: 4.16 x 10 \u2192 4.16*10 "
         "(at character 2)."),
        ("4.16e\u22123 \u2248", "the character '\u2248' (U+2248) is not allowed: type the answer with plain "
         "keyboard characters (at character 9)."),
    ],
    ids=["decimal_comma", "nested_list", "x_for_times", "approx_sign"],
)
def test_refusals_say_what_to_write(answer, feedback):
    res = check(DW2, answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, "invalid", NUMBER_INTRO + feedback)
