"""Check kind ``relation``: HW4 half-planes judged by where they hold."""

from __future__ import annotations

import pytest
import sympy

from grader.checks import CheckContext
from grader.checks.relation import Params, check
from grader.sandbox.answers import Missing, SympyText
from reference import hw4_p1 as ref

CTX = CheckContext()
SIDES = ref.p1b_positive_sides()
X1, X2 = sympy.symbols("x1 x2", real=True)

CASES = [
    (0, "x1 > 1", "passed"),
    (0, "x1 - 1 >= 0", "passed"),
    (0, "1 < x1", "passed"),
    (0, "x1 - 1 > 0", "passed"),
    (0, SympyText(str(X1 > 1)), "passed"),
    (0, "Gt(x1, 1)", "passed"),
    (0, "~(x1 <= 1)", "passed"),
    (1, "x2 > 1", "passed"),
    (2, "x1 < -1", "passed"),
    (2, "-x1 - 1 > 0", "passed"),
    (3, "-1 > x2", "passed"),
    (0, "x1 > 1.001", "failed"),
    (0, "x1 > 0", "failed"),
    (0, "x2 > 1", "failed"),
    (0, "x1 < 1", "failed"),
    (2, "x1 > -1", "failed"),
    (0, "Eq(x1, 1)", "failed"),
]


@pytest.mark.parametrize(("unit", "answer", "status"), CASES, ids=[f"z{u + 1}:{a}" for u, a, _ in CASES])
def test_half_planes(unit, answer, status):
    assert check(Params(SIDES[unit]), answer, ctx=CTX).status == status


def test_other_side_hint():
    res = check(Params(SIDES[0]), "x1 <= 1", ctx=CTX)
    assert res.status == "failed"
    assert res.feedback.startswith(
        "Your relation does not describe the right region. You described the other side: your relation "
        "holds exactly where it should not. For example, at x1="
    )


def test_counterexample_only_when_revealed():
    res = check(Params(SIDES[0]), "x1 > 2", ctx=CTX)
    assert res.counterexample is not None
    assert res.counterexample.endswith("your relation leaves out this point, but it should include it")
    hidden = check(Params(SIDES[0]), "x1 > 2", ctx=CheckContext(reveal=False))
    assert hidden.feedback == "Your relation does not describe the right region."
    assert hidden.counterexample is None


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ("x1 - 1", "Expected a relation in x1, x2 such as 'x1 > 1' or 'x1 - 1 >= 0', but this could not be "
         "read: found an expression without a comparison; write a relation such as 'x1 > 1'."),
        ("x3 > 1", "Expected a relation in x1, x2 such as 'x1 > 1' or 'x1 - 1 >= 0', but this could not be "
         "read: unknown name 'x3'; this answer may use x1, x2 (at character 1)."),
        (1.5, "Expected a relation in x1, x2 such as 'x1 > 1' or 'x1 - 1 >= 0', but this could not be "
         "read: found an expression without a comparison; write a relation such as 'x1 > 1'."),
    ],
    ids=["expression", "unknown_name", "number"],
)
def test_invalid(answer, feedback):
    res = check(Params(SIDES[0]), answer, ctx=CTX)
    assert (res.status, res.feedback) == ("invalid", feedback)


def test_missing():
    assert check(Params(SIDES[0]), Missing(), ctx=CTX).status == "missing"


def test_params_validate_expected():
    with pytest.raises(ValueError, match="expected must be a relation"):
        Params(X1 + 1)
    assert Params("x1 > 1").expected == (X1 > 1)


BOX = Params("(-1 <= x1) & (x1 <= 1) & (-1 <= x2) & (x2 <= 1)")
EITHER = Params("(x1 > 1) | (x2 < -1)")
PASTED = [
    (SIDES[0], "x1 \u2265 1", "passed"),
    (SIDES[0], "x\u2081 \u2212 1 \u2265 0", "passed"),
    (SIDES[0], "1 \u2264 x1", "passed"),
    (SIDES[2], "x1 \u2264 \u22121", "passed"),
    (SIDES[2], "x1 \u2265 \u22121", "failed"),
    (BOX.expected, "\u22121 \u2264 x1 \u2264 1 and \u22121 \u2264 x2 \u2264 1", "passed"),
    (BOX.expected, "-1 <= x1 <= 1 & -1 <= x2 <= 1", "passed"),
    (BOX.expected, "(x1 >= -1) & (x1 <= 1) & (x2 >= -1) & (x2 <= 1)", "passed"),
    (BOX.expected, "x1 >= -1 AND x1 <= 1 AND x2 >= -1 AND x2 <= 1", "passed"),
    (BOX.expected, "And(Abs(x1) <= 1, Abs(x2) <= 1)", "passed"),
    (BOX.expected, "abs(x1) \u2264 1 \u2227 abs(x2) \u2264 1", "passed"),
    (BOX.expected, "Max(Abs(x1), Abs(x2)) <= 1", "passed"),
    (BOX.expected, "\u22121 \u2264 x1 \u2264 1 or \u22121 \u2264 x2 \u2264 1", "failed"),
    (BOX.expected, "\u22121 \u2264 x1 \u2264 1", "failed"),
    (EITHER.expected, "x1 > 1 or x2 < \u22121", "passed"),
    (EITHER.expected, "x1 > 1 | x2 < -1", "passed"),
    (EITHER.expected, "(x1 > 1) || (x2 < -1)", "passed"),
    (EITHER.expected, "Or(x1 > 1, x2 < -1)", "passed"),
    (EITHER.expected, "x1 > 1 \u2228 x2 < \u22121", "passed"),
    (EITHER.expected, "not (x1 \u2264 1 and x2 \u2265 \u22121)", "passed"),
    (EITHER.expected, "x1 > 1 and x2 < -1", "failed"),
]


@pytest.mark.parametrize(("expected", "answer", "status"), PASTED, ids=[f"{e}:{a}" for e, a, _ in PASTED])
def test_pasted_relations_and_regions(expected, answer, status):
    assert check(Params(expected), answer, ctx=CTX).status == status


INTRO = "Expected a relation in x1, x2 such as 'x1 > 1' or 'x1 - 1 >= 0', but this could not be read: "


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ("x1 => 1", "this is not a valid expression: write >= instead of => (at character 4)."),
        ("x1 =< 1", "this is not a valid expression: write <= instead of =< (at character 4)."),
        ("x1 = 1", "this is not a valid expression: write == for 'equals' (or <, <=, >, >=); a single = is not a "
         "comparison (at character 4)."),
        ("|x1| \u2264 1", "this is not a valid expression: write Abs(...) for an absolute value; | only joins "
         "relations (at character 1)."),
        ("x1 \u2265 1, x2 \u2264 1", "found several relations separated by commas; join them with 'and' (&) or "
         "'or' (|) (at character 1)."),
        ("2x1 > 1", "this is not a valid expression: use * for multiplication: 2x1 \u2192 2*x1 (at character 1)."),
        ("X1 > 1", "unknown name 'X1'; did you mean x1? this answer may use x1, x2 (at character 1)."),
        (["x1 > 1"], "expected a relation such as 'x1 > 1', found a sequence of 1 item(s); give the item itself, "
         "not a list holding it (flatten the nested list)."),
    ],
    ids=["=>", "=<", "single_equals", "abs_bars", "comma", "implicit_product", "capital", "nested_list"],
)
def test_refusals_say_what_to_write(answer, feedback):
    res = check(Params(SIDES[0]), answer, ctx=CTX)
    assert (res.fraction, res.status, res.feedback) == (0.0, "invalid", INTRO + feedback)
