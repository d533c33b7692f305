"""The tolerance rule and the vector shapes of ``grader.tolerance``, and the rubric's tolerances."""

from __future__ import annotations

import numpy as np
import pytest

from grader.assignment import Assignment, load_assignment
from grader.paths import DEFAULT_RUBRIC
from grader.tolerance import as_plain, as_vector, first_difference, shape_text, within


@pytest.mark.parametrize(
    ("given", "expected", "rtol", "atol", "ok"),
    [
        (1.005, 1.0, 1e-2, 1e-6, True),
        (1.02, 1.0, 1e-2, 1e-6, False),
        (3.059e-7, 3.0590222e-7, 1e-2, 1e-12, True),
        (-3.059e-7, 3.0590222e-7, 1e-2, 1e-12, False),
        (0.0, 3.0590222e-7, 1e-2, 1e-12, False),
        (3.059e-6, 3.0590222e-7, 1e-2, 1e-12, False),
        (5e-7, 0.0, 1e-2, 1e-6, True),
        (float("nan"), 1.0, 1e-2, 1e-6, False),
        (float("inf"), float("inf"), 1e-2, 1e-6, True),
    ],
    ids=["within_1pct", "outside_1pct", "tiny_right", "tiny_sign", "tiny_zero", "tiny_x10", "zero_atol", "nan",
         "inf"],
)
def test_within(given, expected, rtol, atol, ok):
    assert within(given, expected, rtol, atol) is ok


@pytest.mark.parametrize(
    ("value", "n", "items"),
    [
        ([1, 2], 2, [1, 2]),
        ([[1], [2]], 2, [1, 2]),
        ([[1, 2]], 2, [1, 2]),
        ([[1]], 1, [1]),
        ([[1, 2], [3, 4]], 2, None),
        ([1, 2, 3], 2, None),
        ([[1], 2], 2, None),
        ([[[1], [2]]], 2, None),
        ("12", 2, None),
    ],
    ids=["flat", "column", "row", "one_by_one", "matrix", "length", "ragged", "three_dims", "string"],
)
def test_as_vector(value, n, items):
    assert as_vector(value, n) == items


def test_shape_text():
    assert [shape_text(v) for v in ([1, 2], [[1], [2]], [[1, 2], [3]], [[1], 2], 3)] == [
        "(2,)", "(2, 1)", "ragged", "ragged", "()"]


OUTPUT = (0.999999694097773, 3.059022269256247e-07)


@pytest.mark.parametrize(
    "given",
    [list(OUTPUT), [[OUTPUT[0]], [OUTPUT[1]]], [list(OUTPUT)], as_plain(np.array(OUTPUT).reshape(2, 1))],
    ids=["flat", "column", "row", "numpy_column"],
)
def test_an_output_vector_in_any_orientation(given):
    assert first_difference(given, OUTPUT, 1e-4, 1e-12) is None


def test_a_matrix_is_not_an_output_vector():
    assert first_difference([[1, 0], [0, 1]], OUTPUT, 1e-4, 1e-12) == (
        "the result should be a vector of 2 numbers (shape (2,), (2, 1) or (1, 2)), found shape (2, 2)")


def _backprop_expected():
    dW = [np.arange(6.0).reshape(3, 2), np.arange(3.0).reshape(1, 3)]
    db = [np.array([0.5, -1.0, 2.0]), np.array([0.25])]
    return dW, db


def test_bias_gradients_as_columns_are_accepted():
    dW, db = _backprop_expected()
    given = as_plain(([w for w in dW], [b.reshape(-1, 1) for b in db]))
    assert first_difference(given, (dW, db), 1e-4, 1e-8) is None
    wrong = as_plain(([w for w in dW], [b.reshape(-1, 1) * 2 for b in db]))
    assert first_difference(wrong, (dW, db), 1e-4, 1e-8) == (
        "item [1][0][0] is 1, not the right value (tolerance: 0.0001 relative, 1e-08 absolute)")


def test_genuinely_wrong_shapes_are_refused():
    dW, db = _backprop_expected()
    flat_weights = as_plain(([w.ravel() for w in dW], db))
    assert first_difference(flat_weights, (dW, db), 1e-4, 1e-8) == (
        "item [0][0] should be a matrix of shape (3, 2), found a flat list of 6 values")
    transposed = as_plain(([dW[0].T, dW[1]], db))
    assert first_difference(transposed, (dW, db), 1e-4, 1e-8) == "item [0][0] has 2 values; 3 were expected"
    square_bias = as_plain((dW, [np.ones((3, 3)), db[1]]))
    assert first_difference(square_bias, (dW, db), 1e-4, 1e-8) == (
        "item [1][0] should be a vector of 3 numbers (shape (3,), (3, 1) or (1, 3)), found shape (3, 3)")


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def _numbers(value):
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    return [float(value)]


def test_no_expected_number_is_below_its_absolute_tolerance(assignment: Assignment) -> None:
    """Where |expected| * rtol < atol, a wrong sign or a zero would pass: the rubric must lower atol."""
    risky = []
    for check in assignment.checks:
        if check.spec.kind not in ("number", "vector"):
            continue
        bound = [check.params, *(m.params for m in check.mistakes)]
        for params in bound:
            for value in _numbers(params.expected):
                if value != 0 and params.rtol * abs(value) < params.atol:
                    risky.append((check.number, value))
    assert risky == []
