"""Check kind ``region``: the HW4 square as polygon or relation, and the octagon level sets."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CheckContext, polygon
from grader.checks.polygon import shape_size
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
    ],
    ids=["two_vertices", "expression"],
)
def test_invalid(answer, feedback):
    res = check(SQUARE, answer, ctx=CTX)
    assert (res.status, res.feedback) == ("invalid", feedback)


def test_params_validate():
    with pytest.raises(ValueError):
        Params([(0, 0), (1, 1)])
    with pytest.raises(ValueError):
        Params("x1 + x2")


SIZE0 = shape_size(np.array(SQ))


def _moved(vertices, index, dx, dy=0.0):
    out = list(vertices)
    out[index] = (out[index][0] + dx, out[index][1] + dy)
    return out


TOLERANCE_CASES = [
    (_moved(SQ, 0, 0.001 * SIZE0), "passed"),
    (_moved(SQ, 0, -0.001 * SIZE0, 0.001 * SIZE0), "passed"),
    ([(x + 0.001 * SIZE0, y) for x, y in SQ], "passed"),
    (f"(abs(x1) <= {1 + 0.001 * SIZE0}) & (abs(x2) <= 1)", "passed"),
    (_moved(SQ, 0, 0.03 * SIZE0), "failed"),
    (_moved(SQ, 0, -0.03 * SIZE0), "failed"),
    (_moved(SQ, 0, 0.1), "failed"),
    ([(x + 0.03 * SIZE0, y) for x, y in SQ], "failed"),
    (f"(abs(x1) <= {1 + 0.03 * SIZE0}) & (abs(x2) <= 1)", "failed"),
    (f"(abs(x1) <= {1 - 0.03 * SIZE0}) & (abs(x2) <= 1)", "failed"),
]
TOLERANCE_IDS = ["vertex_0.1pct", "vertex_diagonal_0.1pct", "shifted_0.1pct", "relation_0.1pct", "vertex_out_3pct",
                 "vertex_in_3pct", "vertex_by_0.1", "shifted_3pct", "relation_out_3pct", "relation_in_3pct"]


@pytest.mark.parametrize(("answer", "status"), TOLERANCE_CASES, ids=TOLERANCE_IDS)
@pytest.mark.parametrize("params", [SQUARE, SQUARE_AS_RELATION], ids=["polygon_ref", "relation_ref"])
def test_boundaries_within_one_percent_of_the_size(params, answer, status):
    res = check(params, answer, ctx=CTX)
    assert res.status == status, res.feedback
    if status == "failed":
        assert res.feedback.endswith("(Boundaries must agree within 1% of the shape's size.)")


OCT1 = [tuple(v) for v in ref.p1c_curve_1()]
SIZE1 = shape_size(np.array(OCT1))
RIGHT = OCT1.index((2.0, -1.0))
SHAPES = [
    OCT1,
    OCT1[::-1],
    OCT1[2:] + OCT1[:2] + [OCT1[2]],
    _moved(OCT1, RIGHT, 0.1),
    _moved(OCT1, RIGHT, 0.001 * SIZE1),
    _moved(OCT1, RIGHT, -0.03 * SIZE1),
    _moved(OCT1, RIGHT, 0.005 * SIZE1),
    _moved(OCT1, RIGHT, 0.02 * SIZE1),
    [(x * 1.015, y * 1.015) for x, y in OCT1],
    ref.level_set_polygon(1.01),
    ref.level_set_polygon(1.1),
]


@pytest.mark.parametrize("answer", SHAPES, ids=["exact", "reversed", "rotated_closed", "vertex_by_0.1",
                                                  "vertex_0.1pct", "vertex_in_3pct", "vertex_0.5pct", "vertex_2pct",
                                                  "scaled_1.5pct", "level_1.01", "level_1.1"])
def test_polygon_and_region_kinds_agree_on_one_shape(answer):
    curve = polygon.check(polygon.Params(OCT1), answer, ctx=CTX)
    region = check(OCTAGON, answer, ctx=CTX)
    assert region.status == curve.status


def test_a_moved_vertex_shows_a_point_of_the_difference():
    res = check(SQUARE, _moved(SQ, 0, 0.1), ctx=CTX)
    assert res.feedback.startswith("Your polygon does not describe the right region. For example, at x1=1.0")
    assert "your polygon includes this point, but it should not" in res.feedback
