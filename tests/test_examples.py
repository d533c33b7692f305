"""End to end: every example submission, graded through the real sandbox, gets its pinned scores.

The pinned results live in ``tests/golden/<example>.json`` (score and status of
every test, in results.json order); ``python tests/golden/update.py`` rewrites
them after a reviewed change of the rubric.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.assignment import Assignment, load_assignment
from grader.autograder import run
from grader.paths import DEFAULT_RUBRIC, ROOT
from grader.report.gradescope import validate

EXAMPLES = ROOT / "submissions_example"
GOLDEN = Path(__file__).parent / "golden"
NAMES = ["full_credit", "full_credit_sympy", "notebook", "partial", "broken", "template"]


def _reject_constant(name: str) -> None:
    raise ValueError(f"results.json holds the non-JSON constant {name}")


def summarize(results: dict) -> dict:
    """The part of results.json that a golden file pins."""
    return {
        "score": results["score"],
        "tests": {t["number"]: [t["score"], t["extra_data"]["status"]] for t in results["tests"]},
    }


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(DEFAULT_RUBRIC)


def grade_example(name: str, assignment: Assignment, tmp_path: Path) -> dict:
    out = tmp_path / "results.json"
    assert run(EXAMPLES / name, out, assignment=assignment, table=False) == 0
    results = json.loads(out.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    validate(results)
    return results


@pytest.mark.parametrize("name", NAMES)
def test_each_example_gets_its_pinned_scores(name: str, assignment: Assignment, tmp_path: Path) -> None:
    results = grade_example(name, assignment, tmp_path)
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert summarize(results) == golden


@pytest.mark.parametrize(("name", "total"), [("full_credit", 100), ("full_credit_sympy", 100), ("notebook", 100),
                                             ("partial", 25.54), ("broken", 0), ("template", 0)])
def test_totals(name: str, total: float) -> None:
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert golden["score"] == total


def test_partial_credit_messages_name_the_known_mistakes(assignment: Assignment, tmp_path: Path) -> None:
    results = grade_example("partial", assignment, tmp_path)
    output = {t["number"]: t["output"] for t in results["tests"]}
    assert "without the ReLU on the output layer" in output["1.c.4.3"]
    assert "Your h repeats the input" in output["2.a.1"]
    assert "Round h_t to the closest integer" in output["2.a.2"]
    assert "1 - sigma(z) is only one factor" in output["3.b"]
    assert "Off by a factor of 2" in output["3.c.1"]
    assert "derivative of the output sigmoid is missing" in output["3.d.1"]
    assert "A larger beta makes the softmax sharper" in output["1.d"]
    assert "not in order around the polygon" in output["1.c.2"]
    assert "missing key(s) b_c" in output["2.c"]
    assert "NotImplementedError" in output["2.e"]
    assert "line 4: ModuleNotFoundError: No module named 'matplotlib'" in results["output"]


def test_a_syntax_error_is_reported_once_with_its_line(assignment: Assignment, tmp_path: Path) -> None:
    results = grade_example("broken", assignment, tmp_path)
    assert "line 5: SyntaxError" in results["output"]
    assert all(t["score"] == 0 for t in results["tests"])


def test_staff_graded_parts_carry_the_rubric_staff_points(assignment: Assignment, tmp_path: Path) -> None:
    results = grade_example("full_credit", assignment, tmp_path)
    staff = {t["extra_data"]["answer"]: (t["name"], t["max_score"], t["extra_data"]["staff_points"])
             for t in results["tests"] if t["extra_data"].get("manual")}
    expected = {p.answer: p.staff_points for p in assignment.rubric.parts if p.staff_points}
    assert {answer: points for answer, (_, _, points) in staff.items()} == expected
    for answer, (name, max_score, points) in staff.items():
        assert max_score == 0.0
        assert f"{points:g} pts on Gradescope" in name, answer
