"""Check kind ``polygon``: the HW4 octagon level sets as closed curves."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import CheckContext
from grader.checks.polygon import Params, check, read_polygon, shape_size
from grader.sandbox.answers import Missing
from reference import hw4_p1 as ref

CTX = CheckContext()
OCT1 = [tuple(v) for v in ref.p1c_curve_1()]
OCT3 = [tuple(v) for v in ref.p1c_curve_3()]
P1 = Params(OCT1)
P3 = Params(OCT3)
SIZE1 = shape_size(np.array(OCT1))


def _midpoint(a, b):
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def moved(vertices, index, dx, dy=0.0):
    """The polygon with one vertex moved by ``(dx, dy)``."""
    out = list(vertices)
    out[index] = (out[index][0] + dx, out[index][1] + dy)
    return out


RIGHT = OCT1.index((2.0, -1.0))

CASES = [
    (OCT1, "passed"),
    (OCT1[::-1], "passed"),
    (OCT1[3:] + OCT1[:3], "passed"),
    (OCT1[::-1][5:] + OCT1[::-1][:5], "passed"),
    (OCT1 + [OCT1[0]], "passed"),
    (OCT1[:2] + [_midpoint(OCT1[1], OCT1[2])] + OCT1[2:], "passed"),
    ([(x + 0.001 * SIZE1, y) for x, y in OCT1], "passed"),
    (moved(OCT1, RIGHT, 0.001 * SIZE1), "passed"),
    (moved(OCT1, RIGHT, -0.001 * SIZE1, 0.001 * SIZE1), "passed"),
    (moved(OCT1, RIGHT, 0.03 * SIZE1), "failed"),
    (moved(OCT1, RIGHT, -0.03 * SIZE1), "failed"),
    (moved(OCT1, RIGHT, 0.1), "failed"),
    ([(x + 0.03 * SIZE1, y) for x, y in OCT1], "failed"),
    ([(x * 1.2, y * 1.2) for x, y in OCT1], "failed"),
    ([(2, 2), (-2, 2), (-2, -2), (2, -2)], "failed"),
    ([(3, 0), (0, 3), (-3, 0), (0, -3)], "failed"),
    (OCT1[:5], "failed"),
]
IDS = ["exact", "reversed", "rotated", "reversed_rotated", "closed", "collinear", "shifted_0.1pct",
       "vertex_out_0.1pct", "vertex_diagonal_0.1pct", "vertex_out_3pct", "vertex_in_3pct", "vertex_by_0.1",
       "shifted_3pct", "scaled", "square", "diamond", "half"]


@pytest.mark.parametrize(("answer", "status"), CASES, ids=IDS)
def test_curve_1(answer, status):
    res = check(P1, answer, ctx=CTX)
    assert res.status == status
    if status == "passed":
        assert (res.fraction, res.feedback) == (1.0, "Correct.")


@pytest.mark.parametrize(("level", "status"), [(3, "passed"), (3.01, "passed"), (3.35, "failed"), (1, "failed")],
                         ids=["level_3", "level_3.01", "level_3.35", "level_1"])
def test_curve_3_against_other_level_sets(level, status):
    answer = ref.level_set_polygon(level)
    assert check(P3, answer[::-1], ctx=CTX).status == status


def test_a_wrong_shape_says_how_close_it_must_be():
    res = check(P1, moved(OCT1, RIGHT, 0.1), ctx=CTX)
    assert res.feedback == (
        "Your polygon does not match the expected closed curve (curves must agree within 1% of the shape's "
        "size). For example, your curve passes through (2.1, -1), off the expected curve."
    )


def test_the_tolerance_follows_the_rubric():
    loose = Params(OCT1, rtol=0.05)
    assert check(loose, moved(OCT1, RIGHT, 0.03 * SIZE1), ctx=CTX).status == "passed"
    assert check(Params(OCT1, rtol=0, atol=0.2), moved(OCT1, RIGHT, 0.1), ctx=CTX).status == "passed"
    with pytest.raises(ValueError, match="rtol or atol must be > 0"):
        Params(OCT1, rtol=0, atol=0)


def test_shape_size_is_the_diameter():
    assert shape_size(np.array([(0, 0), (3, 0), (3, 4), (0, 4)])) == pytest.approx(5.0, rel=1e-4)
    assert shape_size(np.array(OCT1)) == pytest.approx(np.hypot(4, 2), rel=1e-4)


def test_vertices_out_of_order_hint():
    shuffled = [OCT1[i] for i in (0, 2, 1, 3, 4, 5, 6, 7)]
    res = check(P1, shuffled, ctx=CTX)
    assert (res.status, res.feedback) == (
        "failed",
        "Your vertices are right but not in order around the polygon: list them as you meet them walking "
        "along the boundary.",
    )


def test_counterexample_is_on_the_students_curve():
    res = check(P1, [(2, 2), (-2, 2), (-2, -2), (2, -2)], ctx=CTX)
    assert res.counterexample == "your curve passes through (2, 2), off the expected curve"
    hidden = check(P1, [(2, 2), (-2, 2), (-2, -2), (2, -2)], ctx=CheckContext(reveal=False))
    assert hidden.feedback == (
        "Your polygon does not match the expected closed curve (curves must agree within 1% of the shape's size).")
    assert hidden.counterexample is None


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        ([(1, 2), (3, 4)], "a polygon needs at least 3 different vertices, found 2."),
        ([[1, 2], [3, 4, 5], [0, 0]], "each vertex must be a pair (x1, x2), found a sequence of 3 item(s) "
         "(vertex 2)."),
        ([(1, 2), (3, "q"), (0, 0)], "unknown name 'q'; this answer must be a constant (numbers, pi, e and "
         "functions such as exp, log, sqrt) (vertex 2)."),
        ("[(1, 2)]", "expected a list of (x1, x2) vertices, found the string '[(1, 2)]'; write the list itself, "
         "without quotes, e.g. [(0, 0), (2, 0), (0, 3)]."),
        ([2, -1, 2, 1, 1, 2], "found a flat list of 6 values; give one (x1, x2) pair per vertex, e.g. "
         "[(0, 0), (2, 0), (0, 3)]."),
        ([[2, 2, 1], [-1, 1, 2]], "found 2 rows (all the x1, then all the x2); give one (x1, x2) pair per vertex, "
         "e.g. list(zip(x1s, x2s))."),
        ({"x1": [2, 2, 1], "x2": [-1, 1, 2]}, "expected a list of (x1, x2) vertices, found a dict with 2 key(s)."),
    ],
    ids=["two", "triple", "bad_number", "string", "flat", "transposed", "dict"],
)
def test_invalid(answer, detail):
    res = check(P1, answer, ctx=CTX)
    assert res.status == "invalid"
    assert res.feedback == (
        "Expected a list of (x1, x2) vertices in order around the polygon, e.g. [(0, 0), (2, 0), (0, 3)], "
        "but this could not be read: " + detail
    )


def test_read_polygon_accepts_number_strings():
    assert read_polygon([["1/2", 0], [1, 0], [0, "sqrt(4)"]]).tolist() == [[0.5, 0.0], [1.0, 0.0], [0.0, 2.0]]


def test_missing():
    assert check(P1, Missing(), ctx=CTX).status == "missing"
