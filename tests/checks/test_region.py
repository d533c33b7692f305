"""Check kind ``region``: the HW4 square as polygon or relation, and the octagon level sets."""

from __future__ import annotations

import pytest

from grader.checks import CheckContext
from grader.checks.region import Params, check
from reference import hw4_p1 as ref

CTX = CheckContext()
SQUARE = Params(ref.p1c_region_0())
SQUARE_AS_RELATION = Params("(abs(x1) <= 1) & (abs(x2) <= 1)")
OCTAGON = Params(ref.level_set_polygon(1))
SQ = [(1, 1), (-1, 1), (-1, -1), (1, -1)]

SQUARE_CASES = [
    (SQ, "passed"),
    (SQ[::-1], "passed"),
    (SQ[2:] + SQ[:2], "passed"),
    ([(1, 1), (0, 1), (-1, 1), (-1, -1), (1, -1), (1, 1)], "passed"),
    ("(abs(x1) <= 1) & (abs(x2) <= 1)", "passed"),
    ("And(x1 <= 1, x1 >= -1, x2 <= 1, x2 >= -1)", "passed"),
    ("(-1 <= x1) & (x1 <= 1) & (-1 <= x2) & (x2 <= 1)", "passed"),
    ("Max(Abs(x1), Abs(x2)) <= 1", "passed"),
    ("relu(x1-1) + relu(x2-1) + relu(-x1-1) + relu(-x2-1) <= 0", "passed"),
    ("abs(x1) + abs(x2) <= 1", "failed"),
    ([(1.1, 1), (-1, 1), (-1, -1), (1, -1)], "failed"),
    ([(1, 1), (-1, 1), (1, -1), (-1, -1)], "failed"),
    ("(abs(x1) <= 1) | (abs(x2) <= 1)", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), SQUARE_CASES, ids=[str(a) for a, _ in SQUARE_CASES])
@pytest.mark.parametrize("params", [SQUARE, SQUARE_AS_RELATION], ids=["polygon_ref", "relation_ref"])
def test_square(params, answer, status):
    assert check(params, answer, ctx=CTX).status == status


def test_outside_is_the_other_side():
    res = check(SQUARE, "(abs(x1) > 1) | (abs(x2) > 1)", ctx=CTX)
    assert res.status == "failed"
    assert "You described the other side" in res.feedback


OCTAGON_CASES = [
    ("relu(abs(x1) - 1) + relu(abs(x2) - 1) <= 1", "passed"),
    ([(2, 1), (1, 2), (-1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2), (2, -1)], "passed"),
    ("(abs(x1) <= 2) & (abs(x2) <= 2)", "failed"),
    ("abs(x1) + abs(x2) <= 3", "failed"),
]


@pytest.mark.parametrize(("answer", "status"), OCTAGON_CASES, ids=[str(a) for a, _ in OCTAGON_CASES])
def test_octagon_region(answer, status):
    assert check(OCTAGON, answer, ctx=CTX).status == status


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ([(1, 1), (2, 2)], "Expected a polygon [(0, 0), (2, 0), (0, 3)] or a relation in x1, x2 such as "
         "'(x1 >= 0) & (x2 <= 2)', but this could not be read: a polygon needs at least 3 different "
         "vertices, found 2."),
        ("abs(x1) + abs(x2)", "Expected a polygon [(0, 0), (2, 0), (0, 3)] or a relation in x1, x2 such as "
         "'(x1 >= 0) & (x2 <= 2)', but this could not be read: found an expression without a comparison; "
         "write a relation such as 'x1 > 1'."),
        ("x1 > 1 & x2 < 3", "Expected a polygon [(0, 0), (2, 0), (0, 3)] or a relation in x1, x2 such as "
         "'(x1 >= 0) & (x2 <= 2)', but this could not be read: '&' joins relations; put each relation in "
         "parentheses, e.g. (x1 > 1) & (x2 < 3) (at character 6)."),
    ],
    ids=["two_vertices", "expression", "precedence"],
)
def test_invalid(answer, feedback):
    res = check(SQUARE, answer, ctx=CTX)
    assert (res.status, res.feedback) == ("invalid", feedback)


def test_params_validate():
    with pytest.raises(ValueError):
        Params([(0, 0), (1, 1)])
    with pytest.raises(ValueError):
        Params("x1 + x2")
