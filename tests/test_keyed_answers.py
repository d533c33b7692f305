"""Keyed answers in the handout's numbering, vectors in any orientation, and the tiny o2 of 1(a).

Each answer is graded through the real rubric (``grade_observations``) as the
sandbox would deliver it: tuples and arrays as lists, sympy objects as text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from grader import keyed
from grader.assignment import Assignment, load_assignment
from grader.grade import grade_observations
from grader.paths import DEFAULT_RUBRIC
from grader.sandbox.answers import SympyText
from grader.sandbox.runner import SandboxResult
from grader.tolerance import as_plain


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def grade(assignment: Assignment, name: str, value: Any) -> dict[str, tuple[float, str, str]]:
    """Number -> (score, status, output) of every check of the part answered by ``name``."""
    checks = [c for c in assignment.checks if c.answer == name]
    report = grade_observations(assignment, SandboxResult({name: value}, (), (), (), "", 0.0), checks=checks)
    return {t.number: (t.score, t.status, t.output) for t in report.tests if not t.manual}


def sent(value: Any) -> Any:
    if isinstance(value, sp.Basic):
        return SympyText(str(value))
    if isinstance(value, dict):
        return {k: sent(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sent(v) for v in value]
    return as_plain(value)


# ------------------------------------------------------------------ 1(b): hidden units 1..4


SIDES = ["x1 - 1 > 0", "x2 - 1 > 0", "-x1 - 1 > 0", "-x2 - 1 > 0"]
UNITS = ["1.b.1", "1.b.2", "1.b.3", "1.b.4"]


@pytest.mark.parametrize(
    "answer",
    [
        SIDES,
        {1: SIDES[0], 2: SIDES[1], 3: SIDES[2], 4: SIDES[3]},
        {"1": SIDES[0], "2": SIDES[1], "3": SIDES[2], "4": SIDES[3]},
        {0: SIDES[0], 1: SIDES[1], 2: SIDES[2], 3: SIDES[3]},
        {"0": SIDES[0], "1": SIDES[1], "2": SIDES[2], "3": SIDES[3]},
        {4: SIDES[3], 2: SIDES[1], 1: SIDES[0], 3: SIDES[2]},
        {" 1": SIDES[0], 2: SIDES[1], "3 ": SIDES[2], 4.0: SIDES[3]},
    ],
    ids=["list", "dict_1_to_4", "dict_str_1_to_4", "dict_0_to_3", "dict_str_0_to_3", "dict_unordered", "dict_mixed"],
)
def test_hidden_units_in_every_numbering(assignment: Assignment, answer: Any) -> None:
    result = grade(assignment, "p1b_positive_sides", answer)
    assert [(n, result[n][:2]) for n in UNITS] == [(n, (1.5, "passed")) for n in UNITS]


@pytest.mark.parametrize(
    ("answer", "wrong"),
    [
        ({1: SIDES[0], 2: SIDES[1], 3: "x1 < -2", 4: SIDES[3]}, "1.b.3"),
        ({0: SIDES[0], 1: SIDES[1], 2: "x1 < -2", 3: SIDES[3]}, "1.b.3"),
        ([SIDES[0], "x2 > 2", SIDES[2], SIDES[3]], "1.b.2"),
    ],
    ids=["handout_numbering", "zero_based", "list"],
)
def test_a_wrong_unit_is_the_one_reported(assignment: Assignment, answer: Any, wrong: str) -> None:
    result = grade(assignment, "p1b_positive_sides", answer)
    assert [n for n in UNITS if result[n][1] != "passed"] == [wrong]
    assert result[wrong][2].startswith("Your relation does not describe the right region.")


def test_a_partial_dict_in_the_handout_numbering(assignment: Assignment) -> None:
    result = grade(assignment, "p1b_positive_sides", {1: SIDES[0], 2: SIDES[1], 4: SIDES[3]})
    assert [result[n][1] for n in UNITS] == ["passed", "passed", "missing", "passed"]
    assert result["1.b.3"][2] == (
        "Not answered: the name is defined, but the dict has no entry for 3; its keys should be 1, 2, 3, 4.")


def test_a_partial_zero_based_dict_names_the_handout_unit(assignment: Assignment) -> None:
    result = grade(assignment, "p1b_positive_sides", {0: SIDES[0], 1: SIDES[1], 3: SIDES[3]})
    assert result["1.b.3"][1:] == ("missing", "Not answered: the name is defined, but the dict has no entry for 3 "
                                   "in the handout's numbering (key 2 counting from 0); its keys should be 1, 2, 3, 4.")


@pytest.mark.parametrize(
    ("answer", "output"),
    [
        ({1: SIDES[0], 2: SIDES[1], 3: SIDES[2], 5: SIDES[3]},
         "The dict's keys should be 1, 2, 3, 4 (the handout's numbering) or 0, 1, 2, 3; found the keys 1, 2, 3, 5."),
        ({0: SIDES[0], 1: SIDES[1], 2: SIDES[2], 4: SIDES[3]},
         "The dict's keys should be 1, 2, 3, 4 (the handout's numbering) or 0, 1, 2, 3; found the keys 0, 1, 2, 4."),
        ({"z1": SIDES[0], "z2": SIDES[1]},
         "The dict's keys should be 1, 2, 3, 4 (the handout's numbering) or 0, 1, 2, 3; found the keys 'z1', 'z2'."),
        ({1: SIDES[0], "1": SIDES[0]}, "The dict has the key 1 twice (1 and '1'); keep one of them."),
        (SIDES[:3], "Expected 4 relations; found 3 (give them in the handout's order 1, 2, 3, 4, with None for one "
         "you leave out)."),
        ("x1 > 1", "Expected a list of 4 in the handout's order 1, 2, 3, 4, or a dict keyed 1, 2, 3, 4 (or 0..3); "
         "found the string 'x1 > 1'."),
    ],
    ids=["key_5", "keys_0_and_4", "named_keys", "twice", "three", "one_string"],
)
def test_unreadable_keys_say_what_to_write(assignment: Assignment, answer: Any, output: str) -> None:
    result = grade(assignment, "p1b_positive_sides", answer)
    assert {result[n][1:] for n in UNITS} == {("invalid", output)}


# ------------------------------------------------------------------ 1(c): outputs on the levels 0, 1, 3


@pytest.fixture(scope="module")
def outputs(assignment: Assignment) -> dict[int, Any]:
    return sent(assignment.reference.p1c_outputs())


LEVELS = ["1.c.4.1", "1.c.4.2", "1.c.4.3"]


def _forms(o: dict[int, Any]) -> list[Any]:
    return [
        o,
        {str(k): v for k, v in o.items()},
        {3: o[3], 0: o[0], 1: o[1]},
        [o[0], o[1], o[3]],
        {k: [[v[0]], [v[1]]] for k, v in o.items()},
        [[v] for v in (o[0], o[1], o[3])],
        as_plain(np.array([o[0], o[1], o[3]])),
    ]


@pytest.mark.parametrize("form", range(7), ids=["dict", "dict_str", "dict_unordered", "list", "dict_of_columns",
                                                "list_of_rows", "numpy_3x2"])
def test_outputs_in_every_form(assignment: Assignment, outputs: dict[int, Any], form: int) -> None:
    result = grade(assignment, "p1c_outputs", _forms(outputs)[form])
    assert [result[n][:2] for n in LEVELS] == [(2.0, "passed")] * 3


def test_a_list_in_level_order_reports_the_right_level(assignment: Assignment, outputs: dict[int, Any]) -> None:
    result = grade(assignment, "p1c_outputs", [outputs[0], [0.3, 0.7], outputs[3]])
    assert [result[n][1] for n in LEVELS] == ["passed", "failed", "passed"]


@pytest.mark.parametrize(
    ("answer", "output"),
    [
        ({0: (0.1, 0.9), 1: (0.5, 0.5), 2: (0.9, 0.1)},
         "The dict's keys should be 0, 1, 3 (ints or strings); found the keys 0, 1, 2."),
        ({"sum=0": (0.1, 0.9)}, "The dict's keys should be 0, 1, 3 (ints or strings); found the keys 'sum=0'."),
        ([(0.1, 0.9), (0.5, 0.5)], "Expected 3 outputs; found 2 (give them in the order 0, 1, 3, with None for one "
         "you leave out)."),
        ((0.5, 0.5), "Expected 3 outputs; found 2 (give them in the order 0, 1, 3, with None for one you leave out)."),
    ],
    ids=["level_2", "named_key", "two_items", "one_vector"],
)
def test_unreadable_levels_say_what_to_write(assignment: Assignment, answer: Any, output: str) -> None:
    result = grade(assignment, "p1c_outputs", sent(answer))
    assert {result[n][1:] for n in LEVELS} == {("invalid", output)}


def test_a_missing_level(assignment: Assignment, outputs: dict[int, Any]) -> None:
    result = grade(assignment, "p1c_outputs", {0: outputs[0], 1: outputs[1]})
    assert result["1.c.4.3"][1:] == (
        "missing", "Not answered: the name is defined, but the dict has no entry for 3; its keys should be 0, 1, 3.")


def test_the_known_mistake_of_level_3_in_a_list(assignment: Assignment, outputs: dict[int, Any]) -> None:
    mistake = sent(assignment.reference.p1c_outputs_without_output_relu())
    result = grade(assignment, "p1c_outputs", [outputs[0], outputs[1], mistake[3]])
    assert result["1.c.4.3"][1] == "failed"
    assert "without the ReLU on the output layer" in result["1.c.4.3"][2]


# ------------------------------------------------------------------ 1(a): a vector in any orientation, a tiny o2


O1, O2 = 0.999999694097773, 3.059022269256247e-07


@pytest.mark.parametrize(
    "answer",
    [(O1, O2), [O1, O2], np.array([O1, O2]), np.array([[O1], [O2]]), np.array([[O1, O2]]), [[O1], [O2]], [[O1, O2]],
     (0.9999997, 3.059e-7), (1, "1/(1+exp(15))"), (sp.exp(15) / (1 + sp.exp(15)), 1 / (1 + sp.exp(15)))],
    ids=["tuple", "list", "numpy_flat", "numpy_column", "numpy_row", "column", "row", "rounded", "exact_string",
         "sympy"],
)
def test_1a_accepts_every_orientation(assignment: Assignment, answer: Any) -> None:
    assert grade(assignment, "p1a_output", sent(answer))["1.a"] == (5.0, "passed", "Correct.")


@pytest.mark.parametrize(
    "answer",
    [(O1, -O2), (O1, 10 * O2), (O1, O2 / 10), (O1, 1.05 * O2), (-O1, O2), (O2, O1)],
    ids=["o2_sign", "o2_times_10", "o2_over_10", "o2_5pct", "o1_sign", "swapped"],
)
def test_1a_rejects_a_wrong_sign_or_magnitude(assignment: Assignment, answer: Any) -> None:
    score, status, _ = grade(assignment, "p1a_output", list(answer))["1.a"]
    assert (score, status) == (0.0, "failed")


@pytest.mark.parametrize("answer", [(O1, 0.0), (1, 0), [[1.0], [0.0]], (0.9999997, 0)],
                         ids=["exact_o1", "ints", "column", "rounded_o1"])
def test_1a_o2_rounded_to_zero_is_the_known_mistake(assignment: Assignment, answer: Any) -> None:
    assert grade(assignment, "p1a_output", sent(answer))["1.a"] == (
        3.0, "partial", "o2 is tiny but not 0: a softmax output is never exactly 0. Keep its leading digits in "
        "scientific notation (e.g. 1.23e-7) instead of rounding it to 0.")


def test_1a_refuses_a_matrix(assignment: Assignment) -> None:
    score, status, output = grade(assignment, "p1a_output", [[O1, O2], [O1, O2]])["1.a"]
    assert (score, status) == (0.0, "invalid")
    assert output.endswith("found a nested list of shape (2, 2); flatten the nested list to 2 numbers.")


# ------------------------------------------------------------------ grader.keyed


def test_positional_and_labelled_selects() -> None:
    assert keyed.is_positional([0, 1, 2, 3]) and not keyed.is_positional([0, 1, 3])
    assert [keyed.handout_label(s, [0, 1, 2, 3]) for s in range(4)] == [1, 2, 3, 4]
    assert [keyed.handout_label(s, [0, 1, 3]) for s in (0, 1, 3)] == [0, 1, 3]
    assert keyed.read_items({"3": "c", 0: "a"}, [0, 1, 3]) == {0: "a", 3: "c"}
    assert keyed.read_items(["a", "b", "c"], [0, 1, 3]) == {0: "a", 1: "b", 3: "c"}
    assert keyed.read_items({2: "b", 3: "c"}, [0, 1, 2, 3]) == {1: "b", 2: "c"}
    assert [keyed.key_from_text(t) for t in ("0", " 3", "a")] == [0, 3, "a"]
    assert keyed.normalize_key(True) is None and keyed.normalize_key(1.5) is None


# ------------------------------------------------------------------ the self-check reads answers as grading does


@pytest.fixture(scope="module")
def public_parts(assignment: Assignment) -> dict[str, dict[str, Any]]:
    from grader.public_checks import build_public

    return {p["answer"]: p for p in build_public(assignment)["parts"]}


@pytest.mark.parametrize(
    ("answer", "value", "problem"),
    [
        ("p1b_positive_sides", {1: SIDES[0], 2: SIDES[1], 3: SIDES[2], 4: SIDES[3]}, None),
        ("p1b_positive_sides", {"0": SIDES[0], "1": SIDES[1], "2": SIDES[2], "3": SIDES[3]}, None),
        ("p1b_positive_sides", {1: SIDES[0], 2: SIDES[1], 3: "x1 + y > 0", 4: SIDES[3]},
         "unknown name 'y'"),
        ("p1b_positive_sides", {1: SIDES[0], 2: SIDES[1], 4: SIDES[3]}, "the dict has no entry for 3"),
        ("p1b_positive_sides", {1: SIDES[0], 5: SIDES[1]},
         "the dict's keys should be 1, 2, 3, 4 (the handout's numbering) or 0, 1, 2, 3; found the keys 1, 5"),
        ("p1c_outputs", [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)], None),
        ("p1c_outputs", {0: [[0.1], [0.9]], "1": [[0.5, 0.5]], 3: (0.9, 0.1)}, None),
        ("p1c_outputs", {0: (0.1, 0.9), 1: (0.5, 0.5), 2: (0.9, 0.1)},
         "the dict's keys should be 0, 1, 3 (ints or strings); found the keys 0, 1, 2"),
        ("p1c_outputs", {0: (0.1, 0.9), 1: (0.5, 0.5), 3: [[0.9, 0.1], [0, 0]]},
         "flatten the nested list to 2 numbers (entry 3)"),
        ("p1a_output", [[0.5], [0.5]], None),
        ("p1a_output", [[0.5, 0.5], [0.5, 0.5]], "flatten the nested list to 2 numbers"),
    ],
    ids=["units_1_to_4", "units_str_0_to_3", "unit_3_unreadable", "unit_3_missing", "unit_5", "levels_list",
         "levels_columns_rows", "level_2", "level_3_matrix", "1a_column", "1a_matrix"],
)
def test_the_self_check_reads_keyed_answers_as_grading_does(
    public_parts: dict[str, dict[str, Any]], answer: str, value: Any, problem: str | None
) -> None:
    from grader.selfcheck import read_problem

    found = read_problem(public_parts[answer], value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found
